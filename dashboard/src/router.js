// Routes live in the URL's hash (#/c/<client id>), so any static host serves every route
// from index.html and a link to a conversation survives sign-in.
import { useEffect, useState } from "preact/hooks";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseRoute(hash) {
  const path = hash.replace(/^#/, "") || "/";
  const conversation = /^\/c\/([^/?]+)$/.exec(path);
  if (conversation && UUID.test(conversation[1])) return { name: "conversation", clientId: conversation[1] };
  return { name: "inbox" };
}

export function conversationHref(clientId) {
  return `#/c/${clientId}`;
}

export function navigate(hash) {
  if (location.hash !== hash) location.hash = hash;
}

export function useRoute() {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return route;
}

// Routes live in the URL's hash (#/c/<client id>, #/faqs, …), so any static host serves
// every route from index.html and a link to a conversation survives sign-in.
import { useEffect, useState } from "preact/hooks";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The screens besides the inbox, in the order the navigation shows them. */
export const SECTIONS = ["faqs", "labels", "metrics", "settings"];

/**
 * The route of `hash`: {name: "inbox", labelId?}, {name: "conversation", clientId} or
 * {name: <section>, params} where params holds the query string after the section.
 */
export function parseRoute(hash) {
  const [path, query = ""] = (hash.replace(/^#/, "") || "/").split("?");
  const conversation = /^\/c\/([^/]+)$/.exec(path);
  if (conversation && UUID.test(conversation[1])) return { name: "conversation", clientId: conversation[1] };
  const labelled = /^\/label\/([^/]+)$/.exec(path);
  if (labelled && UUID.test(labelled[1])) return { name: "inbox", labelId: labelled[1] };
  const section = /^\/([a-z]+)$/.exec(path);
  if (section && SECTIONS.includes(section[1])) {
    return { name: section[1], params: Object.fromEntries(new URLSearchParams(query)) };
  }
  return { name: "inbox" };
}

export function conversationHref(clientId) {
  return `#/c/${clientId}`;
}

/** The inbox filtered by one label. */
export function labelHref(labelId) {
  return `#/label/${labelId}`;
}

export function sectionHref(section, params) {
  const query = params ? new URLSearchParams(params).toString() : "";
  return `#/${section}${query ? `?${query}` : ""}`;
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

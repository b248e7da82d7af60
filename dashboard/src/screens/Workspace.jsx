// The signed-in layout: the inbox beside the open conversation on a laptop, one of the
// two at a time on a phone (the inbox stays mounted, so it keeps its place and stays live).
import { useEffect, useState } from "preact/hooks";
import { Header } from "../components/Header.jsx";
import { OfflineBanner } from "../components/OfflineBanner.jsx";
import { t } from "../i18n/index.js";
import { liveStatus, onStatus } from "../live.js";
import { useRoute } from "../router.js";
import { Conversation } from "./Conversation.jsx";
import { Inbox } from "./Inbox.jsx";

export function Workspace({ profile, labels, summary }) {
  const route = useRoute();
  const [live, setLive] = useState(liveStatus());
  useEffect(() => onStatus(setLive), []);
  const clientId = route.name === "conversation" ? route.clientId : null;
  const timeZone = profile.timezone;

  return (
    <div class={`workspace${clientId ? " has-conversation" : ""}`}>
      <Header profile={profile} summary={summary} />
      {live === "offline" && <OfflineBanner />}
      <div class="panes">
        <Inbox labels={labels} timeZone={timeZone} activeClientId={clientId} />
        <main class="conversation-pane" id="conversation-pane">
          {clientId
            ? <Conversation key={clientId} clientId={clientId} labels={labels} timeZone={timeZone} />
            : (
              <div class="no-conversation">
                <p class="no-conversation-title">{t("conversation.noneTitle")}</p>
                <p>{t("conversation.noneText")}</p>
              </div>
            )}
        </main>
      </div>
    </div>
  );
}

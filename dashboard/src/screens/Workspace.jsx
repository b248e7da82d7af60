// The signed-in layout: the navigation, then either the inbox beside the open conversation
// (one of the two at a time on a phone; the inbox stays mounted, so it keeps its place and
// stays live) or one of the other screens at full width.
import { useEffect, useState } from "preact/hooks";
import { Header } from "../components/Header.jsx";
import { OfflineBanner } from "../components/OfflineBanner.jsx";
import { SectionNav } from "../components/SectionNav.jsx";
import { t } from "../i18n/index.js";
import { liveStatus, onStatus } from "../live.js";
import { useRoute } from "../router.js";
import { Conversation } from "./Conversation.jsx";
import { Faqs } from "./Faqs.jsx";
import { Inbox } from "./Inbox.jsx";
import { Labels } from "./Labels.jsx";
import { Metrics } from "./Metrics.jsx";
import { Settings } from "./Settings.jsx";

const SECTION_SCREENS = { faqs: Faqs, labels: Labels, metrics: Metrics, settings: Settings };

export function Workspace({ profile, labels, summary, onProfileSaved }) {
  const route = useRoute();
  const [live, setLive] = useState(liveStatus());
  useEffect(() => onStatus(setLive), []);
  const clientId = route.name === "conversation" ? route.clientId : null;
  const timeZone = profile.timezone;
  const Section = SECTION_SCREENS[route.name];

  // Each screen is a page of its own: its title is announced and focus starts at its top.
  useEffect(() => {
    if (Section) document.getElementById("section-main")?.focus();
  }, [route.name]);

  return (
    <div class={`workspace${clientId ? " has-conversation" : ""}`}>
      <Header profile={profile} summary={summary} />
      <SectionNav current={Section ? route.name : "inbox"} />
      {live === "offline" && <OfflineBanner />}
      {Section ? (
        <main class="section-pane" id="section-main" tabIndex={-1}>
          <Section
            profile={profile}
            labels={labels}
            timeZone={timeZone}
            params={route.params}
            onProfileSaved={onProfileSaved}
          />
        </main>
      ) : (
        <div class="panes">
          <Inbox labels={labels} timeZone={timeZone} activeClientId={clientId} routeLabelId={route.labelId} />
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
      )}
    </div>
  );
}

// The app's states: loading, signed out, onboarding, and the inbox with its
// conversations. It loads the owner's business and labels, joins the live channel and
// keeps the unread total in the page title.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { errorKey } from "./errors.js";
import { fetchInboxSummary, fetchLabels, fetchProfile } from "./data.js";
import { language, onLanguageChange, t } from "./i18n/index.js";
import { joinInbox, onChange } from "./live.js";
import { chime } from "./sound.js";
import {
  createSupabase, currentSession, loadConfig, onSessionChange, signOut, supabase, takeAuthErrorFromUrl,
  takeReturnTo,
} from "./supabase.js";
import { SignIn } from "./screens/SignIn.jsx";
import { Onboarding } from "./screens/Onboarding.jsx";
import { Workspace } from "./screens/Workspace.jsx";

export function App() {
  const [, setLanguageTick] = useState(language());
  const [phase, setPhase] = useState("loading");
  const [failure, setFailure] = useState(null);
  const [signInError, setSignInError] = useState(null);
  const [session, setSession] = useState(null);
  const [profile, setProfile] = useState(null);
  const userId = session?.user?.id ?? null;

  useEffect(() => onLanguageChange(setLanguageTick), []);

  // Boot: configuration, the Supabase client, then whatever session this browser keeps.
  useEffect(() => {
    let stop = () => {};
    (async () => {
      const authError = takeAuthErrorFromUrl();
      try {
        createSupabase(await loadConfig());
        const initial = await currentSession();
        setSession(initial);
        if (!initial) {
          setSignInError(authError);
          setPhase("signed-out");
        }
        stop = onSessionChange((next, event) => {
          if (event === "SIGNED_OUT" || !next) {
            setSession(null);
            setProfile(null);
            setPhase("signed-out");
          } else {
            setSession(next);
          }
        });
      } catch (error) {
        setFailure(errorKey(error));
        setPhase("failed");
      }
    })();
    return () => stop();
  }, []);

  // A signed-in user: their business settings decide between onboarding and the inbox.
  const loadProfile = useCallback(async () => {
    if (!userId) return;
    setPhase((current) => (current === "ready" || current === "onboarding" ? current : "loading"));
    try {
      const loaded = await fetchProfile(userId);
      setProfile(loaded);
      setPhase(loaded.onboarding_complete ? "ready" : "onboarding");
      const returnTo = takeReturnTo();
      if (returnTo) location.hash = returnTo;
    } catch (error) {
      if (errorKey(error) === "error.session") {
        // The session is no longer valid on the server: back to the sign-in page.
        await signOut();
        setSignInError("error.session");
        setPhase("signed-out");
        return;
      }
      setFailure(errorKey(error));
      setPhase("failed");
    }
  }, [userId]);

  useEffect(() => {
    loadProfile();
  }, [loadProfile]);

  if (phase === "failed") return <Failure messageKey={failure} />;
  if (phase === "signed-out") return <SignIn initialError={signInError} />;
  if (phase === "loading" || !profile) return <Loading />;
  if (phase === "onboarding") {
    return <Onboarding profile={profile} onSaved={setProfile} onDone={(saved) => { setProfile(saved); setPhase("ready"); }} />;
  }
  return <SignedIn session={session} profile={profile} onProfileSaved={setProfile} />;
}

function SignedIn({ session, profile, onProfileSaved }) {
  const [labels, setLabels] = useState([]);
  const [summary, setSummary] = useState({ unreadMessages: 0, unreadConversations: 0 });
  const summaryTimer = useRef(null);

  useEffect(() => {
    fetchLabels().then(setLabels).catch((error) => console.warn("FácilChat: labels", error));
  }, []);

  const refreshSummary = useCallback(() => {
    clearTimeout(summaryTimer.current);
    summaryTimer.current = setTimeout(() => {
      fetchInboxSummary().then(setSummary).catch((error) => console.warn("FácilChat: summary", error));
    }, 150);
  }, []);

  useEffect(() => {
    refreshSummary();
    return () => clearTimeout(summaryTimer.current);
  }, [refreshSummary]);

  // Live: the channel, label edits, the unread total and the chime.
  useEffect(() => {
    let leave = null;
    let cancelled = false;
    joinInbox(supabase(), session).then((stop) => {
      if (cancelled) stop();
      else leave = stop;
    });
    const stopListening = onChange((change) => {
      if (change.table === "labels") {
        setLabels((current) => applyLabelChange(current, change));
      } else if (change.table === "clients") {
        refreshSummary();
      } else if (change.table === "messages" && change.operation === "INSERT"
        && change.record?.direction === "in") {
        chime();
      }
    });
    return () => {
      cancelled = true;
      stopListening();
      leave?.();
    };
    // The channel follows the user, not each refreshed token: supabase-js passes those on.
  }, [session.user.id]);

  useEffect(() => {
    const business = profile.business_name || "FácilChat";
    document.title = summary.unreadMessages > 0
      ? t("title.unread", { count: summary.unreadMessages, business })
      : t("title.plain", { business });
  });

  return (
    <Workspace
      profile={profile}
      labels={labels}
      summary={summary}
      onResync={refreshSummary}
      onProfileSaved={onProfileSaved}
    />
  );
}

function applyLabelChange(labels, change) {
  const without = labels.filter((label) => label.id !== (change.record ?? change.old_record)?.id);
  if (change.operation === "DELETE") return without;
  return [...without, change.record].sort((a, b) => a.name.localeCompare(b.name));
}

function Loading() {
  return <p class="boot" role="status">{t("app.loading")}</p>;
}

function Failure({ messageKey }) {
  return (
    <main class="failure">
      <h1>{t("app.failedTitle")}</h1>
      <p role="alert">{t(messageKey || "error.generic")}</p>
      <button type="button" class="button primary" onClick={() => location.reload()}>{t("action.retry")}</button>
    </main>
  );
}


// One conversation: WhatsApp-like bubbles with day separators, automatic replies marked,
// delivery ticks, media and locations; live updates; older history on scroll. Opening it
// marks it read. Archive, labels and "reply on WhatsApp" sit in its header.
import { Fragment } from "preact";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { ClientDataActions } from "../components/ClientDataActions.jsx";
import { LabelChip } from "../components/LabelChip.jsx";
import { failureReason, Ticks } from "../components/Ticks.jsx";
import {
  addClientLabel, CONVERSATION_PAGE_SIZE, conversationChangedSince, fetchClient, fetchConversation,
  markRead, removeClientLabel, setClientStatus,
} from "../data.js";
import { errorKey } from "../errors.js";
import { dayKey, dayLabel, fullDateTime, mapLink, timeOfDay, whatsappLink } from "../format.js";
import { t } from "../i18n/index.js";
import { onChange, onResync } from "../live.js";
import { compareMessages, isLocation, maxTime, timeKey } from "./messages.js";

const RESYNC_MARGIN_MS = 60_000;
// Within this many pixels of the bottom, a new message scrolls into view.
const STICK_TO_BOTTOM_PX = 120;

function upsertMessages(current, incoming) {
  const byId = new Map(current.map((message) => [message.id, message]));
  for (const message of incoming) {
    const known = byId.get(message.id);
    // A late echo of an older state never overwrites a newer one.
    if (!known || timeKey(message.updated_at) >= timeKey(known.updated_at)) byId.set(message.id, message);
  }
  return [...byId.values()].sort(compareMessages);
}

function labelIdsOf(client) {
  return (client?.client_labels ?? [])
    .slice()
    .sort((a, b) => timeKey(a.created_at) - timeKey(b.created_at))
    .map((link) => link.label_id);
}

export function Conversation({ clientId, labels, timeZone }) {
  const [client, setClient] = useState(null);
  const [labelIds, setLabelIds] = useState([]);
  const [messages, setMessages] = useState([]);
  const [hasOlder, setHasOlder] = useState(false);
  const [loading, setLoading] = useState(true);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [labelToAdd, setLabelToAdd] = useState("");
  const scroller = useRef(null);
  const topSentinel = useRef(null);
  const state = useRef({ lastSeen: null, scroll: null, messages: [] });
  state.current.messages = messages;
  const labelsById = useMemo(() => new Map(labels.map((label) => [label.id, label])), [labels]);

  const readIfVisible = useCallback(() => {
    if (document.visibilityState === "visible") {
      markRead(clientId).catch((failure) => console.warn("FácilChat: mark read", failure));
    }
  }, [clientId]);

  // Open: the client, the latest page, and mark it read.
  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const [loadedClient, page] = await Promise.all([fetchClient(clientId), fetchConversation(clientId)]);
        if (cancelled) return;
        if (!loadedClient) {
          setMissing(true);
          return;
        }
        setClient(loadedClient);
        setLabelIds(labelIdsOf(loadedClient));
        state.current.lastSeen = maxTime(loadedClient.updated_at, ...page.map((m) => m.updated_at));
        state.current.scroll = { to: "bottom" };
        setMessages(upsertMessages([], page));
        setHasOlder(page.length === CONVERSATION_PAGE_SIZE);
        readIfVisible();
      } catch (failure) {
        if (!cancelled) setError(errorKey(failure));
      } finally {
        if (!cancelled) setLoading(false);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [clientId, readIfVisible]);

  // Focus the conversation's heading when it opens, for keyboard and screen reader users.
  useEffect(() => {
    if (client) document.getElementById("conversation-title")?.focus({ preventScroll: true });
  }, [client?.id]);

  // Keep the view where the owner expects it: at the bottom for new messages, in place
  // when older ones are added above.
  useLayoutEffect(() => {
    const element = scroller.current;
    const plan = state.current.scroll;
    state.current.scroll = null;
    if (!element || !plan) return;
    if (plan.to === "bottom") element.scrollTop = element.scrollHeight;
    else if (plan.to === "keep") element.scrollTop = element.scrollHeight - plan.fromBottom;
  }, [messages]);

  const nearBottom = () => {
    const element = scroller.current;
    return !element || element.scrollHeight - element.scrollTop - element.clientHeight < STICK_TO_BOTTOM_PX;
  };

  const loadOlder = useCallback(async () => {
    const oldest = state.current.messages[0];
    if (!oldest || loadingOlder) return;
    setLoadingOlder(true);
    try {
      const page = await fetchConversation(clientId, oldest);
      const element = scroller.current;
      state.current.scroll = { to: "keep", fromBottom: element ? element.scrollHeight - element.scrollTop : 0 };
      setMessages((current) => upsertMessages(current, page));
      setHasOlder(page.length === CONVERSATION_PAGE_SIZE);
    } catch (failure) {
      setError(errorKey(failure));
    } finally {
      setLoadingOlder(false);
    }
  }, [clientId, loadingOlder]);

  useEffect(() => {
    const target = topSentinel.current;
    if (!target || !hasOlder || loading) return undefined;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) loadOlder();
    }, { root: scroller.current, rootMargin: "150px" });
    observer.observe(target);
    return () => observer.disconnect();
  }, [hasOlder, loadOlder, loading]);

  // Live changes to this conversation.
  useEffect(() => onChange((change) => {
    const row = change.record ?? change.old_record;
    if (!row) return;
    state.current.lastSeen = maxTime(state.current.lastSeen, change.record?.updated_at);
    if (change.table === "messages" && row.client_id === clientId) {
      if (change.operation === "DELETE") {
        setMessages((current) => current.filter((message) => message.id !== row.id));
        return;
      }
      if (nearBottom()) state.current.scroll = { to: "bottom" };
      setMessages((current) => upsertMessages(current, [change.record]));
      if (change.operation === "INSERT" && change.record.direction === "in") readIfVisible();
    } else if (change.table === "clients" && row.id === clientId) {
      if (change.operation === "DELETE") setMissing(true);
      else setClient((current) => ({ ...current, ...change.record }));
    } else if (change.table === "client_labels" && row.client_id === clientId) {
      setLabelIds((current) => (change.operation === "DELETE"
        ? current.filter((id) => id !== row.label_id)
        : current.includes(row.label_id) ? current : [...current, row.label_id]));
    }
  }), [clientId, readIfVisible]);

  // After a reconnect: what changed in this conversation since the last change seen.
  useEffect(() => onResync(async () => {
    const since = new Date(Date.parse(state.current.lastSeen ?? new Date().toISOString()) - RESYNC_MARGIN_MS)
      .toISOString();
    try {
      const [changed, fresh] = await Promise.all([conversationChangedSince(clientId, since), fetchClient(clientId)]);
      state.current.lastSeen = maxTime(state.current.lastSeen, ...changed.map((m) => m.updated_at));
      if (nearBottom()) state.current.scroll = { to: "bottom" };
      setMessages((current) => upsertMessages(current, changed));
      if (fresh) {
        setClient(fresh);
        setLabelIds(labelIdsOf(fresh));
        if (fresh.unread_count > 0) readIfVisible();
      } else {
        setMissing(true);
      }
    } catch (failure) {
      console.warn("FácilChat: conversation catch-up", failure);
    }
  }), [clientId, readIfVisible]);

  // Read what arrives while the tab was hidden once the owner looks again.
  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === "visible") readIfVisible();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => document.removeEventListener("visibilitychange", onVisible);
  }, [readIfVisible]);

  const act = async (action) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(errorKey(failure));
    } finally {
      setBusy(false);
    }
  };

  const toggleArchive = () => act(async () => {
    const next = client.status === "archived" ? "active" : "archived";
    const saved = await setClientStatus(clientId, next);
    setClient((current) => ({ ...current, status: saved.status }));
  });

  const addLabel = (event) => {
    event.preventDefault();
    if (!labelToAdd) return;
    const labelId = labelToAdd;
    act(async () => {
      await addClientLabel(clientId, labelId);
      setLabelIds((current) => (current.includes(labelId) ? current : [...current, labelId]));
      setLabelToAdd("");
    });
  };

  const removeLabel = (labelId) => act(async () => {
    await removeClientLabel(clientId, labelId);
    setLabelIds((current) => current.filter((id) => id !== labelId));
  });

  if (missing) {
    return (
      <section class="conversation" aria-labelledby="conversation-title">
        <div class="empty">
          <h2 id="conversation-title" tabIndex={-1}>{t("conversation.notFound")}</h2>
          <a href="#/" class="button subtle">{t("conversation.back")}</a>
        </div>
      </section>
    );
  }

  if (!client) {
    return (
      <section class="conversation" aria-busy="true">
        {error ? <div class="alert" role="alert">{t(error)}</div> : <p class="empty" role="status">{t("conversation.loading")}</p>}
      </section>
    );
  }

  const shownLabels = labelIds.map((id) => labelsById.get(id)).filter(Boolean);
  const addable = labels.filter((label) => !labelIds.includes(label.id) && label.active);
  const archived = client.status === "archived";

  return (
    <section class="conversation" aria-labelledby="conversation-title" data-client-id={clientId}>
      <header class="conversation-header">
        <a href="#/" class="back icon-button" aria-label={t("conversation.back")} title={t("conversation.back")}>
          <span aria-hidden="true">←</span>
        </a>
        <div class="who">
          <h2 id="conversation-title" tabIndex={-1}>{client.name}</h2>
          <p class="who-phone">
            {client.phone}
            {archived && <span class="status-tag" id="archived-tag"> · {t("client.archived")}</span>}
          </p>
        </div>
        <ClientDataActions client={client} timeZone={timeZone} />
        <div class="conversation-actions">
          <a
            class="button primary"
            id="reply-on-whatsapp"
            href={whatsappLink(client.phone)}
            target="_blank"
            rel="noopener noreferrer"
          >
            {t("conversation.replyOnWhatsApp")}
          </a>
          <button type="button" class="button subtle" id="archive-toggle" onClick={toggleArchive} disabled={busy}>
            {archived ? t("action.unarchive") : t("action.archive")}
          </button>
        </div>
      </header>

      <div class="conversation-labels">
        <span class="visually-hidden" id="labels-heading">{t("labels.title")}</span>
        <span class="chips" aria-labelledby="labels-heading" id="client-labels">
          {shownLabels.length === 0 && <span class="muted">{t("labels.none")}</span>}
          {shownLabels.map((label) => (
            <LabelChip key={label.id} label={label} disabled={busy} onRemove={() => removeLabel(label.id)} />
          ))}
        </span>
        {addable.length > 0 && (
          <form class="add-label" onSubmit={addLabel}>
            <label for="add-label" class="visually-hidden">{t("labels.add")}</label>
            <select id="add-label" value={labelToAdd} onChange={(event) => setLabelToAdd(event.currentTarget.value)}>
              <option value="">{t("labels.choose")}</option>
              {addable.map((label) => <option key={label.id} value={label.id}>{label.name}</option>)}
            </select>
            <button type="submit" class="button subtle" disabled={busy || !labelToAdd}>{t("labels.addButton")}</button>
          </form>
        )}
      </div>

      {client.opted_out && (
        <div class="notice" id="opted-out-notice" role="note">
          <strong>{t("client.optedOutTitle")}</strong> {t("client.optedOutText")}
        </div>
      )}
      {error && <div class="alert" role="alert">{t(error)}</div>}

      <div class="messages-scroller" ref={scroller} tabIndex={0} aria-label={t("conversation.historyLabel")}>
        {hasOlder && (
          <div class="load-older" ref={topSentinel}>
            <button type="button" class="button subtle" onClick={loadOlder} disabled={loadingOlder}>
              {loadingOlder ? t("conversation.loadingOlder") : t("conversation.loadOlder")}
            </button>
          </div>
        )}
        {!hasOlder && messages.length > 0 && <p class="history-start">{t("conversation.historyStart")}</p>}
        {messages.length === 0 && !loading && <p class="empty">{t("conversation.empty")}</p>}
        <ol class="messages" role="log" aria-live="polite" id="messages">
          {messages.map((message, index) => {
            const day = dayKey(message.timestamp, timeZone);
            const newDay = index === 0 || dayKey(messages[index - 1].timestamp, timeZone) !== day;
            return (
              <Fragment key={message.id}>
                {newDay && (
                  <li class="day-separator" role="separator">
                    <span>{dayLabel(message.timestamp, timeZone)}</span>
                  </li>
                )}
                <MessageBubble message={message} timeZone={timeZone} />
              </Fragment>
            );
          })}
        </ol>
      </div>
    </section>
  );
}

const KINDS = ["faq", "fallback", "away", "opt_out", "opt_in"];

function MessageBubble({ message, timeZone }) {
  const outbound = message.direction === "out";
  const kind = outbound && KINDS.includes(message.reply_kind) ? message.reply_kind : null;
  const failed = message.status === "failed" || message.status === "undelivered";
  const media = Array.isArray(message.media) ? message.media : [];
  return (
    <li
      class={`bubble ${outbound ? "out" : "in"}${failed ? " failed" : ""}`}
      data-message-id={message.id}
      data-direction={message.direction}
      data-kind={message.reply_kind || ""}
    >
      <span class="visually-hidden">{outbound ? t("message.fromBusiness") : t("message.fromClient")}</span>
      {kind && <span class={`reply-kind kind-${kind}`}>{t(`replyKind.${kind}`)}</span>}
      {media.map((item, index) => <MediaItem key={index} item={item} />)}
      {message.content && <p class="text">{message.content}</p>}
      <span class="meta">
        <time dateTime={message.timestamp} title={fullDateTime(message.timestamp, timeZone)}>
          {timeOfDay(message.timestamp, timeZone)}
        </time>
        {outbound && <Ticks status={message.status} />}
      </span>
      {failed && <p class="failure-reason">{failureReason(message)}</p>}
    </li>
  );
}

function MediaItem({ item }) {
  const [broken, setBroken] = useState(false);
  if (isLocation(item)) {
    const place = item.label || item.address;
    return (
      <a class="media location" href={mapLink(item.latitude, item.longitude)} target="_blank" rel="noopener noreferrer">
        <span aria-hidden="true">📍</span> {t("media.location")}{place ? `: ${place}` : ""}
        <span class="coords">{`${item.latitude}, ${item.longitude}`}</span>
      </a>
    );
  }
  if (!item?.url) return null;
  const type = String(item.content_type || "");
  if (type.startsWith("image/") && !broken) {
    return (
      <a class="media image" href={item.url} target="_blank" rel="noopener noreferrer">
        <img src={item.url} alt={t("media.photo")} loading="lazy" onError={() => setBroken(true)} />
      </a>
    );
  }
  const what = type.startsWith("image/") ? t("media.photo")
    : type.startsWith("audio/") ? t("media.audio")
      : type.startsWith("video/") ? t("media.video") : t("media.file");
  return (
    <a class="media file" href={item.url} target="_blank" rel="noopener noreferrer">
      <span aria-hidden="true">📎</span> {t("media.open", { what })}
    </a>
  );
}

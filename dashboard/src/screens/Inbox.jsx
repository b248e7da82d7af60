// The inbox: conversations newest first, filtered by status and label, searched in SQL,
// paged by keyset. A live change to a client refetches that client's row (with the same
// filters), so a new message moves its conversation to the top with its unread badge.
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { LabelChip } from "../components/LabelChip.jsx";
import { clientsChangedSince, fetchInboxPage, INBOX_PAGE_SIZE, MIN_QUERY_LENGTH } from "../data.js";
import { errorKey } from "../errors.js";
import { listTime } from "../format.js";
import { t } from "../i18n/index.js";
import { clientIdOf, onChange, onResync } from "../live.js";
import { conversationHref } from "../router.js";
import { laterFirst, maxTime, previewOf } from "./messages.js";

const SEARCH_DELAY_MS = 300;
// The most rows inbox_page returns at once.
const MAX_PAGE_SIZE = 200;
const REFRESH_DELAY_MS = 60;
// Broadcasts carry commit-time rows, but updated_at is the transaction's start: look
// back a little further than the last change seen.
const RESYNC_MARGIN_MS = 60_000;

/** Newest first: by activity_at, then id, both descending (the SQL order). */
function compareRows(a, b) {
  return laterFirst(a.activity_at, b.activity_at) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/**
 * The list after refreshing `requested` clients: `fresh` holds those that still match
 * the filters. A row that now sorts below the last loaded row waits for its page.
 */
export function mergeRows(rows, fresh, requested, hasMore) {
  const boundary = hasMore ? rows[rows.length - 1] : null;
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const id of requested) byId.delete(id);
  for (const row of fresh) {
    if (!boundary || compareRows(row, boundary) <= 0) byId.set(row.id, row);
  }
  return [...byId.values()].sort(compareRows);
}

export function Inbox({ labels, timeZone, activeClientId, routeLabelId }) {
  const [status, setStatus] = useState("active");
  const [labelId, setLabelId] = useState(routeLabelId ?? "");
  // A link to #/label/<id> (a label's count on the labels screen) filters by that label.
  useEffect(() => {
    if (routeLabelId) {
      setStatus("active");
      setLabelId(routeLabelId);
    }
  }, [routeLabelId]);
  const [queryInput, setQueryInput] = useState("");
  const [query, setQuery] = useState("");
  const [rows, setRows] = useState([]);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState(null);
  const filters = useMemo(() => ({ status, labelId: labelId || null, query }), [status, labelId, query]);
  const state = useRef({ rows, hasMore, filters, generation: 0, lastSeen: null, pending: new Set(), timer: null });
  state.current.rows = rows;
  state.current.hasMore = hasMore;
  state.current.filters = filters;
  const labelsById = useMemo(() => new Map(labels.map((label) => [label.id, label])), [labels]);
  const sentinel = useRef(null);

  const noteSeen = (list) => {
    state.current.lastSeen = maxTime(state.current.lastSeen, ...list.map((row) => row.updated_at));
  };

  // The first page for the current filters; a newer request makes older answers stale.
  const reload = useCallback(async () => {
    const generation = ++state.current.generation;
    setLoading(true);
    setError(null);
    try {
      const page = await fetchInboxPage(filters);
      if (generation !== state.current.generation) return;
      noteSeen(page);
      setRows(page);
      setHasMore(page.length === INBOX_PAGE_SIZE);
    } catch (failure) {
      if (generation === state.current.generation) setError(errorKey(failure));
    } finally {
      if (generation === state.current.generation) setLoading(false);
    }
  }, [filters]);

  useEffect(() => {
    reload();
  }, [reload]);

  // The search runs once the owner stops typing.
  useEffect(() => {
    const trimmed = queryInput.trim();
    const next = trimmed.length >= MIN_QUERY_LENGTH ? trimmed : "";
    const timer = setTimeout(() => setQuery(next), next ? SEARCH_DELAY_MS : 0);
    return () => clearTimeout(timer);
  }, [queryInput]);

  const loadMore = useCallback(async () => {
    const { rows: current, hasMore: more, generation } = state.current;
    if (!more || loadingMore || current.length === 0) return;
    setLoadingMore(true);
    try {
      const page = await fetchInboxPage({ ...filters, before: current[current.length - 1] });
      if (generation !== state.current.generation) return;
      noteSeen(page);
      setRows((existing) => {
        const known = new Set(existing.map((row) => row.id));
        return [...existing, ...page.filter((row) => !known.has(row.id))];
      });
      setHasMore(page.length === INBOX_PAGE_SIZE);
    } catch (failure) {
      setError(errorKey(failure));
    } finally {
      setLoadingMore(false);
    }
  }, [filters, loadingMore]);

  // More rows as the owner scrolls near the end of the list.
  useEffect(() => {
    const target = sentinel.current;
    if (!target || !hasMore) return undefined;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) loadMore();
    }, { rootMargin: "200px" });
    observer.observe(target);
    return () => observer.disconnect();
  }, [hasMore, loadMore, rows.length]);

  // Refetches the rows of these clients with the current filters, and merges them.
  const refreshClients = useCallback(async (ids) => {
    const generation = state.current.generation;
    for (let start = 0; start < ids.length; start += MAX_PAGE_SIZE) {
      const chunk = ids.slice(start, start + MAX_PAGE_SIZE);
      try {
        const fresh = await fetchInboxPage({ ...state.current.filters, clientIds: chunk, limit: chunk.length });
        if (generation !== state.current.generation) return;
        noteSeen(fresh);
        setRows((current) => mergeRows(current, fresh, chunk, state.current.hasMore));
      } catch (failure) {
        console.warn("FácilChat: inbox refresh", failure);
      }
    }
  }, []);

  useEffect(() => onChange((change) => {
    const id = clientIdOf(change);
    if (!id) return;
    state.current.lastSeen = maxTime(state.current.lastSeen, change.record?.updated_at);
    state.current.pending.add(id);
    clearTimeout(state.current.timer);
    state.current.timer = setTimeout(() => {
      const ids = [...state.current.pending];
      state.current.pending.clear();
      refreshClients(ids);
    }, REFRESH_DELAY_MS);
  }), [refreshClients]);

  // After a reconnect: the clients changed since the last change seen, or all of it.
  useEffect(() => onResync(async () => {
    const { lastSeen } = state.current;
    if (!lastSeen) {
      reload();
      return;
    }
    try {
      const since = new Date(Date.parse(lastSeen) - RESYNC_MARGIN_MS).toISOString();
      const ids = await clientsChangedSince(since);
      if (ids.length >= 500) reload();
      else await refreshClients(ids);
    } catch (failure) {
      console.warn("FácilChat: inbox catch-up", failure);
      reload();
    }
  }), [reload, refreshClients]);

  const searching = query !== "";
  const activeLabels = labels.filter((label) => label.active || label.id === labelId);

  return (
    <section class="inbox-pane" aria-labelledby="inbox-title">
      <div class="inbox-tools">
        <h1 id="inbox-title" class="pane-title">{t("inbox.title")}</h1>
        <div class="search">
          <label for="inbox-search" class="visually-hidden">{t("inbox.searchLabel")}</label>
          <input
            id="inbox-search"
            type="search"
            placeholder={t("inbox.searchPlaceholder")}
            value={queryInput}
            autocomplete="off"
            maxLength={200}
            onInput={(event) => setQueryInput(event.currentTarget.value)}
          />
        </div>
        <div class="filters">
          <div class="segmented" role="group" aria-label={t("inbox.statusLabel")}>
            {["active", "archived"].map((value) => (
              <button
                key={value}
                type="button"
                id={`status-${value}`}
                aria-pressed={status === value ? "true" : "false"}
                onClick={() => setStatus(value)}
              >
                {t(`inbox.status.${value}`)}
              </button>
            ))}
          </div>
          <label for="label-filter" class="visually-hidden">{t("inbox.labelFilter")}</label>
          <select id="label-filter" value={labelId} onChange={(event) => setLabelId(event.currentTarget.value)}>
            <option value="">{t("inbox.allLabels")}</option>
            {activeLabels.map((label) => <option key={label.id} value={label.id}>{label.name}</option>)}
          </select>
        </div>
      </div>

      {error && (
        <div class="alert" role="alert">
          {t(error)} <button type="button" class="link-button" onClick={reload}>{t("action.retry")}</button>
        </div>
      )}

      {loading && rows.length === 0 && !error && <p class="empty" role="status">{t("inbox.loading")}</p>}

      {!loading && !error && rows.length === 0 && (
        <div class="empty" id="inbox-empty">
          <p class="empty-title">
            {searching ? t("inbox.noResults", { query })
              : status === "archived" ? t("inbox.noArchived")
                : labelId ? t("inbox.noLabelled") : t("inbox.emptyTitle")}
          </p>
          {!searching && status === "active" && !labelId && <p>{t("inbox.emptyText")}</p>}
        </div>
      )}

      {searching && rows.length > 0 && (
        <p class="results-note" role="status">{t("inbox.resultsFor", { query })}</p>
      )}

      <ul class="conversation-list" id="conversation-list" aria-busy={loading ? "true" : "false"}>
        {rows.map((row) => (
          <InboxRow
            key={row.id}
            row={row}
            labelsById={labelsById}
            timeZone={timeZone}
            active={row.id === activeClientId}
          />
        ))}
      </ul>

      {hasMore && (
        <div class="load-more" ref={sentinel}>
          <button type="button" class="button subtle" onClick={loadMore} disabled={loadingMore}>
            {loadingMore ? t("inbox.loadingMore") : t("inbox.loadMore")}
          </button>
        </div>
      )}
    </section>
  );
}

function InboxRow({ row, labelsById, timeZone, active }) {
  const last = row.last_message;
  const preview = last ? previewOf(last) : t("inbox.noMessages");
  const prefix = last?.direction === "out"
    ? (last.reply_kind === "manual" ? t("preview.you") : t("preview.auto"))
    : "";
  const rowLabels = row.label_ids.map((id) => labelsById.get(id)).filter(Boolean);
  const when = last?.timestamp ?? row.activity_at;
  return (
    <li>
      <a
        href={conversationHref(row.id)}
        class={`row${row.unread_count > 0 ? " unread" : ""}`}
        aria-current={active ? "page" : undefined}
        data-client-id={row.id}
      >
        <span class="avatar" aria-hidden="true">{initials(row.name)}</span>
        <span class="row-main">
          <span class="row-top">
            <span class="row-name">{row.name}</span>
            <time class="row-time" dateTime={when}>{listTime(when, timeZone)}</time>
          </span>
          <span class="row-phone">{row.phone}{row.opted_out ? ` · ${t("client.optedOutShort")}` : ""}</span>
          <span class="row-bottom">
            <span class="row-preview">
              {prefix && <span class="preview-prefix">{prefix} </span>}
              {preview}
            </span>
            {row.unread_count > 0 && (
              <span class="badge" aria-label={t("inbox.unreadBadge", { count: row.unread_count })}>
                {row.unread_count}
              </span>
            )}
          </span>
          {rowLabels.length > 0 && (
            <span class="row-labels">
              {rowLabels.map((label) => <LabelChip key={label.id} label={label} />)}
            </span>
          )}
        </span>
      </a>
    </li>
  );
}

function initials(name) {
  const words = String(name || "?").replace(/^\+/, "").split(/\s+/).filter(Boolean);
  return (words.length > 1 ? words[0][0] + words[1][0] : (words[0] || "?").slice(0, 2)).toUpperCase();
}

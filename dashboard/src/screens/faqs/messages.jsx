// Pages of customer messages: those an FAQ answered, and those no FAQ answered. Each page
// is one SQL call over an index (keyset cursor on the reply's time), never the whole
// history; times are in the business's time zone.
import { useCallback, useEffect, useState } from "preact/hooks";
import { dayLabel, fullDateTime, timeOfDay } from "../../format.js";
import { t } from "../../i18n/index.js";
import { cursorAfter, faqErrorKey, fetchAnsweredMessages, fetchMissedMessages } from "../../data/faqs.js";
import { KeywordPanel } from "./KeywordPanel.jsx";

const PAGE = 10;

export function When({ at, timeZone }) {
  return (
    <time datetime={at} title={fullDateTime(at, timeZone)}>
      {`${dayLabel(at, timeZone)} · ${timeOfDay(at, timeZone)}`}
    </time>
  );
}

/** Pages of rows from `load(cursor)`, reloaded from the start when `version` changes. */
function usePages(load, version) {
  const [rows, setRows] = useState(null);
  const [more, setMore] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(null);

  const fetchPage = useCallback(async (after, replace) => {
    setBusy(true);
    setFailure(null);
    try {
      const page = await load(after);
      setRows((current) => (replace ? page : [...(current ?? []), ...page]));
      setMore(page.length === PAGE);
    } catch (error) {
      setFailure(faqErrorKey(error));
    } finally {
      setBusy(false);
    }
  }, [load]);

  useEffect(() => {
    fetchPage(null, true);
  }, [fetchPage, version]);

  const loadMore = () => fetchPage(cursorAfter(rows?.[rows.length - 1]), false);
  return { rows, more, busy, failure, loadMore, retry: () => fetchPage(null, true) };
}

/** The latest messages one FAQ answered. */
export function AnsweredMessages({ faq, timeZone, version }) {
  const load = useCallback((cursor) => fetchAnsweredMessages(faq.id, cursor, PAGE), [faq.id]);
  const { rows, more, busy, failure, loadMore } = usePages(load, version);
  return (
    <div class="answered" id={`faq-answered-${faq.id}`}>
      {failure && <p class="alert" role="alert">{t(failure)}</p>}
      {rows === null && !failure && <p class="help" role="status">{t("faqs.answered.loading")}</p>}
      {rows?.length === 0 && <p class="help">{t("faqs.answered.none")}</p>}
      {rows?.length > 0 && (
        <ul class="message-list" aria-label={t("faqs.answered.listLabel", { question: faq.question })}>
          {rows.map((row) => (
            <li key={row.reply_id} class="message-item">
              <p class="message-text">{row.content}</p>
              <p class="message-meta">
                {row.client_name} · <When at={row.timestamp} timeZone={timeZone} />
              </p>
            </li>
          ))}
        </ul>
      )}
      {more && (
        <button type="button" class="button subtle" onClick={loadMore} disabled={busy}>
          {busy ? t("faqs.loadingMore") : t("faqs.loadMore")}
        </button>
      )}
    </div>
  );
}

/** The latest messages that got the fallback or the away message, and what to do with them. */
export function MissedQuestions({ faqs, timeZone, version, onFaqSaved, onNewFaq, onTest }) {
  const load = useCallback((cursor) => fetchMissedMessages(cursor, PAGE), []);
  const { rows, more, busy, failure, loadMore, retry } = usePages(load, version);
  const [open, setOpen] = useState(null);
  const [done, setDone] = useState({});

  return (
    <section class="faq-panel missed" aria-labelledby="faq-missed-title">
      <h2 id="faq-missed-title">{t("faqs.missed.title")}</h2>
      <p class="help">{t("faqs.missed.intro")}</p>
      {failure && (
        <p class="alert" role="alert">
          {t(failure)} <button type="button" class="link-button" onClick={retry}>{t("action.retry")}</button>
        </p>
      )}
      {rows === null && !failure && <p class="help" role="status">{t("faqs.missed.loading")}</p>}
      {rows?.length === 0 && <p class="empty-note">{t("faqs.missed.none")}</p>}
      {rows?.length > 0 && (
        <ul class="message-list" id="missed-list">
          {rows.map((row) => (
            <li key={row.reply_id} class="message-item missed-item" data-message-id={row.message_id}>
              <p class="message-text">{row.content}</p>
              <p class="message-meta">
                {row.client_name} · <When at={row.timestamp} timeZone={timeZone} /> ·{" "}
                {t(row.reply_kind === "away" ? "faqs.missed.gotAway" : "faqs.missed.gotFallback")}
                {row.answered_by_hand && <> · {t("faqs.missed.answeredByHand")}</>}
              </p>
              {done[row.reply_id] && <p class="notice success" role="status">{done[row.reply_id]}</p>}
              {open === row.reply_id ? (
                <KeywordPanel
                  idPrefix={`teach-${row.reply_id}`}
                  text={row.content}
                  faqs={faqs}
                  onCancel={() => setOpen(null)}
                  onSaved={(faq, added) => {
                    setOpen(null);
                    setDone((current) => ({
                      ...current,
                      [row.reply_id]: t("faqs.missed.added", { words: added.join(", "), question: faq.question }),
                    }));
                    onFaqSaved(faq);
                  }}
                />
              ) : (
                <div class="item-actions">
                  {faqs.length > 0 && (
                    <button type="button" class="button subtle" onClick={() => setOpen(row.reply_id)}>
                      {t("faqs.missed.addWords")}
                    </button>
                  )}
                  <button type="button" class="button subtle" onClick={() => onNewFaq(row.content)}>
                    {t("faqs.missed.newFaq")}
                  </button>
                  <button type="button" class="button subtle" onClick={() => onTest(row.content)}>
                    {t("faqs.missed.test")}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {more && (
        <button type="button" class="button subtle" onClick={loadMore} disabled={busy}>
          {busy ? t("faqs.loadingMore") : t("faqs.loadMore")}
        </button>
      )}
    </section>
  );
}

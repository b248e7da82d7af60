// The FAQ screen: the business's automatic answers (create, edit, reorder, switch off,
// delete), a tester that shows the reply the webhook would send to any message and why,
// each FAQ's recent answers, and the questions no FAQ answered, to learn from.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { t } from "../i18n/index.js";
import { onChange, onResync } from "../live.js";
import {
  createFaq, deleteFaq, faqErrorKey, fetchFaqList, fetchFaqUsage, reorderFaqs, updateFaq,
} from "../data/faqs.js";
import { FaqEditor } from "./faqs/FaqEditor.jsx";
import { FaqTester } from "./faqs/FaqTester.jsx";
import { AnsweredMessages, MissedQuestions, When } from "./faqs/messages.jsx";
import "./faqs.css";

const USAGE_DAYS = 30;

export function Faqs({ timeZone, params }) {
  const [faqs, setFaqs] = useState(null);
  const [usage, setUsage] = useState(null);
  const [loadFailure, setLoadFailure] = useState(null);
  const [failure, setFailure] = useState(null);
  const [notice, setNotice] = useState(null);
  const [editing, setEditing] = useState(null);
  const [newQuestion, setNewQuestion] = useState("");
  const [confirming, setConfirming] = useState(null);
  const [expanded, setExpanded] = useState(null);
  const [testText, setTestText] = useState(params?.test ?? "");
  // Bumped when FAQs change, so the tester and the lists ask again.
  const [version, setVersion] = useState(0);
  const [messagesVersion, setMessagesVersion] = useState(0);
  const reloadTimer = useRef(null);

  const load = useCallback(async () => {
    try {
      const [list, counts] = await Promise.all([fetchFaqList(), fetchFaqUsage(USAGE_DAYS)]);
      setFaqs(list);
      setUsage(counts);
      setLoadFailure(null);
    } catch (error) {
      setLoadFailure(faqErrorKey(error));
    }
  }, []);

  useEffect(() => {
    load();
  }, [load]);

  // Live: an FAQ changed elsewhere (another tab) asks the list and the tester again; an
  // automatic reply that went out, the counts and the lists of messages. Changes that
  // come together are fetched once.
  useEffect(() => {
    const pending = new Set();
    const later = (what) => {
      pending.add(what);
      clearTimeout(reloadTimer.current);
      reloadTimer.current = setTimeout(() => {
        if (pending.has("faqs")) {
          load();
          setVersion((v) => v + 1);
        } else {
          fetchFaqUsage(USAGE_DAYS).then(setUsage).catch((error) => console.warn("FácilChat: usage", error));
        }
        if (pending.has("messages")) setMessagesVersion((v) => v + 1);
        pending.clear();
      }, 250);
    };
    const stopChanges = onChange((change) => {
      if (change.table === "faqs") later("faqs");
      else if (change.table === "messages" && change.operation === "INSERT"
        && ["faq", "fallback", "away"].includes(change.record?.reply_kind)) later("messages");
    });
    const stopResync = onResync(() => {
      later("faqs");
      later("messages");
    });
    return () => {
      clearTimeout(reloadTimer.current);
      stopChanges();
      stopResync();
    };
  }, [load]);

  const changed = (message) => {
    setNotice(message);
    setFailure(null);
    setVersion((v) => v + 1);
  };

  const replace = (saved) => setFaqs((current) => current.map((faq) => (faq.id === saved.id ? saved : faq)));

  const saveNew = async (draft) => {
    const position = faqs.reduce((max, faq) => Math.max(max, faq.position), 0) + 1;
    const saved = await createFaq({ ...draft, position });
    setFaqs((current) => [...current, saved]);
    setEditing(null);
    changed(t("faqs.notice.created", { question: saved.question }));
    requestAnimationFrame(() => document.getElementById(`faq-edit-${saved.id}`)?.focus());
  };

  const saveEdit = (id) => async (draft) => {
    const saved = await updateFaq(id, draft);
    replace(saved);
    setEditing(null);
    changed(t("faqs.notice.saved", { question: saved.question }));
    requestAnimationFrame(() => document.getElementById(`faq-edit-${id}`)?.focus());
  };

  const act = async (work) => {
    setFailure(null);
    setNotice(null);
    try {
      await work();
    } catch (error) {
      setFailure(faqErrorKey(error));
      load();
    }
  };

  const toggleActive = (faq) => act(async () => {
    const saved = await updateFaq(faq.id, { active: !faq.active });
    replace(saved);
    changed(t(saved.active ? "faqs.notice.activated" : "faqs.notice.deactivated", { question: saved.question }));
  });

  const remove = (faq) => act(async () => {
    await deleteFaq(faq.id);
    setConfirming(null);
    setFaqs((current) => current.filter((item) => item.id !== faq.id));
    changed(t("faqs.notice.deleted", { question: faq.question }));
    document.getElementById("faq-new")?.focus();
  });

  const move = (faq, step) => act(async () => {
    const index = faqs.findIndex((item) => item.id === faq.id);
    const target = index + step;
    if (target < 0 || target >= faqs.length) return;
    const reordered = [...faqs];
    [reordered[index], reordered[target]] = [reordered[target], reordered[index]];
    setFaqs(reordered.map((item, i) => ({ ...item, position: i + 1 })));
    // Keep the focus on the moved FAQ's button, or its other one at either end.
    requestAnimationFrame(() => {
      const same = document.getElementById(`faq-${step < 0 ? "up" : "down"}-${faq.id}`);
      (same && !same.disabled ? same : document.getElementById(`faq-${step < 0 ? "down" : "up"}-${faq.id}`))?.focus();
    });
    await reorderFaqs(reordered.map((item) => item.id));
    setNotice(t("faqs.notice.moved", { question: faq.question, position: target + 1 }));
  });

  const startNew = (question = "") => {
    setNewQuestion(question.slice(0, 500));
    setEditing("new");
    setNotice(null);
    document.getElementById("section-main")?.scrollTo?.({ top: 0 });
  };

  const test = (text) => {
    setTestText(text);
    requestAnimationFrame(() => {
      const input = document.getElementById("faq-test-input");
      input?.scrollIntoView({ block: "center" });
      input?.focus();
    });
  };

  if (loadFailure && !faqs) {
    return (
      <div class="faqs-screen">
        <h1 class="section-title">{t("faqs.title")}</h1>
        <p class="alert" role="alert">{t(loadFailure)}</p>
        <button type="button" class="button primary" onClick={load}>{t("action.retry")}</button>
      </div>
    );
  }
  if (!faqs) return <p class="boot" role="status">{t("faqs.loading")}</p>;

  const counts = new Map((usage?.faqs ?? []).map((row) => [row.faq_id, row]));

  return (
    <div class="faqs-screen">
      <div class="faqs-head">
        <div>
          <h1 class="section-title">{t("faqs.title")}</h1>
          <p class="help">{t("faqs.intro")}</p>
        </div>
        <button type="button" class="button primary" id="faq-new" onClick={() => startNew()} disabled={editing === "new"}>
          {t("faqs.new")}
        </button>
      </div>
      {failure && <p class="alert" role="alert">{t(failure)}</p>}
      {notice && <p class="notice success" role="status" id="faq-notice">{notice}</p>}

      <div class="faqs-layout">
        <div class="faqs-tester-area">
          <FaqTester
            faqs={faqs}
            text={testText}
            onText={setTestText}
            version={version}
            onFaqSaved={(saved, added) => {
              replace(saved);
              changed(t("faqs.missed.added", { words: added.join(", "), question: saved.question }));
            }}
          />
        </div>

        <section class="faqs-list-area" aria-labelledby="faq-list-title">
          <h2 id="faq-list-title" class="visually-hidden">{t("faqs.listTitle")}</h2>
          {editing === "new" && (
            <div class="faq-card editing">
              <FaqEditor
                key={`new-${newQuestion}`}
                idPrefix="faq-form-new"
                titleKey="faqs.form.newTitle"
                initial={{ question: newQuestion }}
                onSave={saveNew}
                onCancel={() => {
                  setEditing(null);
                  document.getElementById("faq-new")?.focus();
                }}
              />
            </div>
          )}
          {faqs.length === 0 && editing !== "new" && (
            <div class="empty">
              <p class="empty-title">{t("faqs.emptyTitle")}</p>
              <p>{t("faqs.emptyText")}</p>
            </div>
          )}
          <ol class="faq-list">
            {faqs.map((faq, index) => (
              <li key={faq.id} class={`faq-card${faq.active ? "" : " inactive"}`} data-faq-id={faq.id}>
                {editing === faq.id ? (
                  <FaqEditor
                    idPrefix={`faq-form-${faq.id}`}
                    titleKey="faqs.form.editTitle"
                    initial={faq}
                    onSave={saveEdit(faq.id)}
                    onCancel={() => {
                      setEditing(null);
                      requestAnimationFrame(() => document.getElementById(`faq-edit-${faq.id}`)?.focus());
                    }}
                  />
                ) : (
                  <FaqCard
                    faq={faq}
                    index={index}
                    total={faqs.length}
                    usage={counts.get(faq.id)}
                    timeZone={timeZone}
                    confirming={confirming === faq.id}
                    expanded={expanded === faq.id}
                    messagesVersion={messagesVersion}
                    onEdit={() => {
                      setEditing(faq.id);
                      setNotice(null);
                    }}
                    onToggle={() => toggleActive(faq)}
                    onMove={(step) => move(faq, step)}
                    onAskDelete={() => setConfirming(faq.id)}
                    onCancelDelete={() => {
                      setConfirming(null);
                      requestAnimationFrame(() => document.getElementById(`faq-delete-${faq.id}`)?.focus());
                    }}
                    onDelete={() => remove(faq)}
                    onExpand={() => setExpanded(expanded === faq.id ? null : faq.id)}
                  />
                )}
              </li>
            ))}
          </ol>
        </section>

        <div class="faqs-missed-area">
          <MissedQuestions
            faqs={faqs}
            timeZone={timeZone}
            version={messagesVersion}
            onFaqSaved={(saved) => {
              replace(saved);
              setVersion((v) => v + 1);
            }}
            onNewFaq={startNew}
            onTest={test}
          />
        </div>
      </div>
    </div>
  );
}

function FaqCard({
  faq, index, total, usage, timeZone, confirming, expanded, messagesVersion,
  onEdit, onToggle, onMove, onAskDelete, onCancelDelete, onDelete, onExpand,
}) {
  const confirmButton = useRef(null);
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);
  const answered = usage?.answered ?? 0;

  return (
    <article class="faq" aria-labelledby={`faq-q-${faq.id}`}>
      <div class="faq-top">
        <span class="faq-number" aria-hidden="true">{index + 1}</span>
        <h3 class="faq-question" id={`faq-q-${faq.id}`}>{faq.question}</h3>
        {!faq.active && <span class="faq-off">{t("faqs.inactive")}</span>}
      </div>
      <p class="faq-answer">{faq.answer}</p>
      {faq.keywords.length > 0 && (
        <ul class="keyword-chips readonly" aria-label={t("faqs.keywords.listLabel")}>
          {faq.keywords.map((word) => <li class="keyword-chip" key={word}>{word}</li>)}
        </ul>
      )}
      <p class="faq-usage">
        {t("faqs.usage.answered", { count: answered, days: USAGE_DAYS })}
        {usage?.last_answered_at && (
          <> · {t("faqs.usage.last")} <When at={usage.last_answered_at} timeZone={timeZone} /></>
        )}
      </p>
      {confirming ? (
        <div class="confirm" role="group" aria-labelledby={`faq-confirm-${faq.id}`}>
          <p id={`faq-confirm-${faq.id}`}>
            {t("faqs.delete.confirm", { question: faq.question })}{" "}
            {faq.active && t("faqs.delete.suggestDeactivate")}
          </p>
          <div class="item-actions">
            <button type="button" class="button danger" id={`faq-confirm-delete-${faq.id}`} ref={confirmButton} onClick={onDelete}>
              {t("faqs.delete.yes")}
            </button>
            <button type="button" class="button subtle" onClick={onCancelDelete}>{t("faqs.delete.no")}</button>
          </div>
        </div>
      ) : (
        <div class="item-actions">
          <button
            type="button"
            class="icon-button"
            id={`faq-up-${faq.id}`}
            aria-label={t("faqs.moveUp", { question: faq.question })}
            title={t("faqs.moveUp", { question: faq.question })}
            disabled={index === 0}
            onClick={() => onMove(-1)}
          >
            <span aria-hidden="true">↑</span>
          </button>
          <button
            type="button"
            class="icon-button"
            id={`faq-down-${faq.id}`}
            aria-label={t("faqs.moveDown", { question: faq.question })}
            title={t("faqs.moveDown", { question: faq.question })}
            disabled={index === total - 1}
            onClick={() => onMove(1)}
          >
            <span aria-hidden="true">↓</span>
          </button>
          <button type="button" class="button subtle" id={`faq-edit-${faq.id}`} onClick={onEdit}>
            {t("faqs.edit")}
          </button>
          <button type="button" class="button subtle" id={`faq-toggle-${faq.id}`} onClick={onToggle}>
            {faq.active ? t("faqs.deactivate") : t("faqs.activate")}
          </button>
          <button type="button" class="button subtle danger-text" id={`faq-delete-${faq.id}`} onClick={onAskDelete}>
            {t("faqs.delete.button")}
          </button>
          <button
            type="button"
            class="link-button"
            id={`faq-show-${faq.id}`}
            aria-expanded={expanded ? "true" : "false"}
            aria-controls={`faq-answered-${faq.id}`}
            onClick={onExpand}
          >
            {expanded ? t("faqs.answered.hide") : t("faqs.answered.show")}
          </button>
        </div>
      )}
      {expanded && <AnsweredMessages faq={faq} timeZone={timeZone} version={messagesVersion} />}
    </article>
  );
}

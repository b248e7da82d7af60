// Teaching FácilChat a missed message: the owner picks the FAQ that answers it, sees which
// of the message's words would be added to that FAQ's keywords (subjects only: no
// greetings, question words or common words; never a word another FAQ already holds, which
// would make this FAQ answer that one's questions), and adds them in one save.
import { useEffect, useMemo, useState } from "preact/hooks";
import { t } from "../../i18n/index.js";
import { LIMITS, faqErrorKey, testFaqMatch, updateFaq } from "../../data/faqs.js";
import { newKeywordsFor, otherFaqsHolding, suggestedKeywords } from "./words.js";

export function KeywordPanel({ idPrefix, text, result: given, faqs, onSaved, onCancel }) {
  const [result, setResult] = useState(given ?? null);
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const suggested = useMemo(() => (result ? suggestedKeywords(text, result.words) : []), [result, text]);
  const [chosen, setChosen] = useState(null);
  const [faqId, setFaqId] = useState(null);

  // The matcher's reading of the message, when the caller has not run it yet.
  useEffect(() => {
    if (given) return;
    let cancelled = false;
    testFaqMatch(text)
      .then((loaded) => !cancelled && setResult(loaded))
      .catch((error) => !cancelled && setFailure(faqErrorKey(error)));
    return () => {
      cancelled = true;
    };
  }, [text, given]);

  // The FAQ that came closest is the likely one; otherwise the first.
  useEffect(() => {
    if (!result || faqId) return;
    const closest = result.candidates?.[0]?.faq_id;
    setFaqId(faqs.some((faq) => faq.id === closest) ? closest : faqs[0]?.id ?? null);
    setChosen(suggestedKeywords(text, result.words));
  }, [result]);

  useEffect(() => {
    document.getElementById(`${idPrefix}-faq`)?.focus();
  }, [Boolean(result)]);

  const faq = faqs.find((item) => item.id === faqId);
  const adding = faq && chosen ? newKeywordsFor(faq, chosen, result?.words) : [];
  // Per word, the other FAQs that already hold it: shown, but not added to this one.
  const heldBy = (word) => (faq ? otherFaqsHolding(faq, word, result?.words) : []);
  const heldNote = (word, ids) => {
    const questions = ids
      .map((id) => faqs.find((item) => item.id === id)?.question)
      .filter(Boolean)
      .map((question) => t("faqs.missed.quoted", { text: question }));
    return questions.length > 0
      ? t("faqs.missed.heldElsewhere", { word, questions: questions.join(", "), count: questions.length })
      : t("faqs.missed.heldUnnamed", { word });
  };
  const tooMany = faq && faq.keywords.length + adding.length > LIMITS.keywords;

  const toggle = (word, on) => setChosen((current) => (on ? [...current, word] : current.filter((w) => w !== word)));

  const save = async (event) => {
    event.preventDefault();
    if (!faq || adding.length === 0 || tooMany) return;
    setBusy(true);
    setFailure(null);
    try {
      const saved = await updateFaq(faq.id, { keywords: [...faq.keywords, ...adding] });
      onSaved(saved, adding);
    } catch (error) {
      setFailure(faqErrorKey(error));
      setBusy(false);
    }
  };

  if (!result) {
    return (
      <div class="keyword-panel" id={idPrefix}>
        {failure ? <p class="alert" role="alert">{t(failure)}</p> : <p class="help" role="status">{t("faqs.missed.reading")}</p>}
      </div>
    );
  }

  return (
    <form class="keyword-panel" id={idPrefix} onSubmit={save} aria-labelledby={`${idPrefix}-title`}>
      <p class="keyword-panel-title" id={`${idPrefix}-title`}>{t("faqs.missed.teachTitle")}</p>
      {failure && <p class="alert" role="alert">{t(failure)}</p>}
      {result.decision === "faq" && (
        <p class="notice success">
          {t("faqs.missed.nowAnswered", { question: faqs.find((item) => item.id === result.faq_id)?.question ?? "" })}
        </p>
      )}
      <label for={`${idPrefix}-faq`}>{t("faqs.missed.chooseFaq")}</label>
      <select id={`${idPrefix}-faq`} value={faqId ?? ""} onChange={(event) => setFaqId(event.currentTarget.value)}>
        {faqs.map((item) => (
          <option key={item.id} value={item.id}>
            {item.active ? item.question : t("faqs.missed.inactiveOption", { question: item.question })}
          </option>
        ))}
      </select>
      {suggested.length === 0 ? (
        <p class="help" id={`${idPrefix}-none`}>{t("faqs.missed.noWords")}</p>
      ) : (
        <fieldset class="word-choices">
          <legend>{t("faqs.missed.wordsLegend")}</legend>
          {suggested.map((word, index) => {
            const held = heldBy(word);
            const id = `${idPrefix}-word-${index}`;
            return (
              <div class={held.length > 0 ? "word-choice held" : "word-choice"} key={word} data-word={word}>
                <div class="check-row">
                  <input
                    type="checkbox"
                    id={id}
                    checked={held.length === 0 && (chosen?.includes(word) ?? false)}
                    disabled={held.length > 0}
                    aria-describedby={held.length > 0 ? `${id}-held` : undefined}
                    onChange={(event) => toggle(word, event.currentTarget.checked)}
                  />
                  <label for={id}>{word}</label>
                </div>
                {held.length > 0 && <p class="word-note" id={`${id}-held`}>{heldNote(word, held)}</p>}
              </div>
            );
          })}
        </fieldset>
      )}
      {suggested.length > 0 && faq && (
        <p class="help" id={`${idPrefix}-preview`} aria-live="polite">
          {tooMany
            ? t("faqs.error.keywords")
            : adding.length > 0
              ? t("faqs.missed.willAdd", { words: adding.join(", "), question: faq.question })
              : t("faqs.missed.nothingToAdd")}
        </p>
      )}
      <div class="step-actions">
        <button type="button" class="button subtle" onClick={onCancel} disabled={busy}>{t("faqs.form.cancel")}</button>
        <button
          type="submit"
          class="button primary"
          id={`${idPrefix}-save`}
          disabled={busy || !faq || adding.length === 0 || tooMany}
        >
          {t("faqs.missed.addButton", { count: adding.length })}
        </button>
      </div>
    </form>
  );
}

// The form for a new FAQ or a change to one: question, answer, keywords, and whether
// FácilChat uses it. It checks the table's limits before saving and shows the database's
// refusal, translated, when it still comes.
import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../../i18n/index.js";
import { LIMITS, faqErrorKey } from "../../data/faqs.js";
import { KeywordsInput } from "./KeywordsInput.jsx";

/** The problems of a draft, by field: catalogue keys. */
export function validateFaq(draft) {
  const problems = {};
  const question = draft.question.trim();
  const answer = draft.answer.trim();
  if (!question) problems.question = "faqs.form.questionRequired";
  else if (draft.question.length > LIMITS.question) problems.question = "faqs.error.question";
  if (!answer) problems.answer = "faqs.form.answerRequired";
  else if (draft.answer.length > LIMITS.answer) problems.answer = "faqs.error.answer";
  if (draft.keywords.length > LIMITS.keywords || draft.keywords.some((word) => word.length > LIMITS.keyword)) {
    problems.keywords = "faqs.error.keywords";
  }
  return problems;
}

export function FaqEditor({ idPrefix, initial, onSave, onCancel, titleKey }) {
  const [draft, setDraft] = useState(() => ({
    question: initial?.question ?? "",
    answer: initial?.answer ?? "",
    keywords: initial?.keywords ?? [],
    active: initial?.active ?? true,
  }));
  const [problems, setProblems] = useState({});
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const title = useRef(null);

  useEffect(() => {
    title.current?.focus();
  }, []);

  const change = (field, value) => {
    setDraft((current) => ({ ...current, [field]: value }));
    setProblems((current) => ({ ...current, [field]: undefined }));
  };

  const submit = async (event) => {
    event.preventDefault();
    const found = validateFaq(draft);
    setProblems(found);
    const first = ["question", "answer", "keywords"].find((field) => found[field]);
    if (first) {
      document.getElementById(`${idPrefix}-${first}`)?.focus();
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      await onSave({
        question: draft.question.trim(),
        answer: draft.answer.trim(),
        keywords: draft.keywords,
        active: draft.active,
      });
    } catch (error) {
      setFailure(faqErrorKey(error));
      setBusy(false);
    }
  };

  const fieldProps = (field) => ({
    id: `${idPrefix}-${field}`,
    "aria-invalid": problems[field] ? "true" : "false",
    "aria-describedby": `${idPrefix}-${field}-help`,
  });

  return (
    <form class="faq-editor" onSubmit={submit} noValidate aria-labelledby={`${idPrefix}-title`}>
      <h3 id={`${idPrefix}-title`} tabIndex={-1} ref={title}>{t(titleKey)}</h3>
      {failure && <p class="alert" role="alert">{t(failure)}</p>}

      <label for={`${idPrefix}-question`}>{t("faqs.form.question")}</label>
      <input
        type="text"
        maxLength={LIMITS.question}
        value={draft.question}
        placeholder={t("faqs.form.questionPlaceholder")}
        onInput={(event) => change("question", event.currentTarget.value)}
        {...fieldProps("question")}
      />
      <p class={problems.question ? "field-error" : "help"} id={`${idPrefix}-question-help`}>
        {problems.question ? t(problems.question) : t("faqs.form.questionHelp")}
      </p>

      <label for={`${idPrefix}-answer`}>{t("faqs.form.answer")}</label>
      <textarea
        rows={4}
        maxLength={LIMITS.answer}
        value={draft.answer}
        onInput={(event) => change("answer", event.currentTarget.value)}
        {...fieldProps("answer")}
      />
      <p class={problems.answer ? "field-error" : "help"} id={`${idPrefix}-answer-help`}>
        {problems.answer
          ? t(problems.answer)
          : t("faqs.form.answerHelp", { count: draft.answer.trim().length, max: LIMITS.answer })}
      </p>

      <label for={`${idPrefix}-keywords`}>{t("faqs.form.keywords")}</label>
      <KeywordsInput
        id={`${idPrefix}-keywords`}
        value={draft.keywords}
        invalid={Boolean(problems.keywords)}
        describedBy={`${idPrefix}-keywords-help`}
        onChange={(keywords) => change("keywords", keywords)}
      />
      <p class={problems.keywords ? "field-error" : "help"} id={`${idPrefix}-keywords-help`}>
        {problems.keywords
          ? t(problems.keywords)
          : t("faqs.form.keywordsHelp", { count: draft.keywords.length, max: LIMITS.keywords })}
      </p>

      <div class="check-row">
        <input
          type="checkbox"
          id={`${idPrefix}-active`}
          checked={draft.active}
          onChange={(event) => change("active", event.currentTarget.checked)}
        />
        <label for={`${idPrefix}-active`}>{t("faqs.form.active")}</label>
      </div>

      <div class="step-actions">
        <button type="button" class="button subtle" onClick={onCancel} disabled={busy}>{t("faqs.form.cancel")}</button>
        <button type="submit" class="button primary" id={`${idPrefix}-save`} disabled={busy}>
          {busy ? t("faqs.form.saving") : t("faqs.form.save")}
        </button>
      </div>
    </form>
  );
}

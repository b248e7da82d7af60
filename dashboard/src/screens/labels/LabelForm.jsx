// Creating or editing one label: its name, colour, kind (manual or automatic) and, for an
// automatic label, its keywords. A built-in label keeps its kind: only its name, colour
// and whether it is active change.
import { useEffect, useMemo, useState } from "preact/hooks";
import { LabelChip } from "../../components/LabelChip.jsx";
import { createLabel, foldKeyword, MAX_NAME, updateLabel } from "../../data/labels.js";
import { errorKey } from "../../errors.js";
import { t } from "../../i18n/index.js";
import { addKeywords, KeywordChips } from "./KeywordChips.jsx";
import { choicesFor, DEFAULT_COLOR } from "./palette.js";

export function LabelForm({ label, labels, onSaved, onCancel }) {
  const editing = Boolean(label);
  const prefix = editing ? `label-${label.id}` : "new-label";
  const [name, setName] = useState(label?.name ?? "");
  const [color, setColor] = useState((label?.color ?? DEFAULT_COLOR).toLowerCase());
  const [type, setType] = useState(label?.type ?? "manual");
  const [keywords, setKeywords] = useState(label?.keywords ?? []);
  const [active, setActive] = useState(label?.active ?? true);
  const [draft, setDraft] = useState("");
  const [problems, setProblems] = useState({});
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const colors = useMemo(() => choicesFor(label?.color), [label?.color]);
  const builtin = Boolean(label?.builtin);

  useEffect(() => {
    document.getElementById(`${prefix}-name`)?.focus();
  }, [prefix]);

  const problem = (field, text) => setProblems((current) => ({ ...current, [field]: text }));

  const submit = async (event) => {
    event.preventDefault();
    const found = {};
    const trimmed = name.replace(/\s+/g, " ").trim();
    if (!trimmed) found.name = t("labels.form.nameRequired");
    else if (trimmed.length > MAX_NAME) found.name = t("labels.form.nameTooLong", { max: MAX_NAME });
    else if (labels.some((other) => other.id !== label?.id && foldKeyword(other.name) === foldKeyword(trimmed))) {
      found.name = t("labels.error.duplicateName");
    }
    let words = keywords;
    if (type === "auto" && !builtin) {
      // A word left in the field counts, as if Enter had been pressed.
      if (draft.trim()) {
        const result = addKeywords(keywords, draft);
        if (result.problem) found.keywords = result.problem;
        else words = result.keywords;
      }
      if (!found.keywords && words.length === 0) found.keywords = t("labels.keywords.required");
    }
    setProblems(found);
    if (Object.keys(found).length > 0) {
      document.getElementById(found.name ? `${prefix}-name` : `${prefix}-keyword`)?.focus();
      return;
    }
    if (words !== keywords) {
      setKeywords(words);
      setDraft("");
    }

    const changes = { name: trimmed, color };
    if (!builtin) {
      changes.type = type;
      changes.keywords = type === "auto" ? words : [];
    }
    if (editing) changes.active = active;
    setBusy(true);
    setFailure(null);
    try {
      const saved = editing ? await updateLabel(label.id, changes) : await createLabel(changes);
      onSaved(saved);
    } catch (error) {
      setFailure(errorKey(error));
      setBusy(false);
    }
  };

  const preview = { id: label?.id ?? "preview", name: name.trim() || t("labels.form.previewName"), color };

  return (
    <form class="labels-form" onSubmit={submit} noValidate aria-labelledby={`${prefix}-title`}>
      <h2 class="labels-form-title" id={`${prefix}-title`}>
        {editing ? t("labels.form.editTitle", { name: label.name }) : t("labels.form.newTitle")}
      </h2>
      <div class="labels-field">
        <label for={`${prefix}-name`}>{t("labels.form.name")}</label>
        <input
          id={`${prefix}-name`}
          type="text"
          value={name}
          maxLength={MAX_NAME}
          autocomplete="off"
          aria-invalid={problems.name ? "true" : "false"}
          aria-describedby={problems.name ? `${prefix}-name-error` : undefined}
          onInput={(event) => {
            setName(event.currentTarget.value);
            problem("name", null);
          }}
        />
        {problems.name && <p class="field-error" id={`${prefix}-name-error`}>{problems.name}</p>}
      </div>

      <fieldset class="labels-colors">
        <legend>{t("labels.form.color")}</legend>
        <div class="labels-swatches">
          {colors.map((choice) => (
            <label class="labels-swatch" key={choice.hex} title={choice.name()}>
              <input
                type="radio"
                name={`${prefix}-color`}
                value={choice.hex}
                checked={color === choice.hex}
                onChange={() => setColor(choice.hex)}
              />
              <span class="labels-swatch-dot" style={{ background: choice.hex }} aria-hidden="true" />
              <span class="visually-hidden">{choice.name()}</span>
            </label>
          ))}
        </div>
        <p class="labels-preview">
          <span class="help">{t("labels.form.preview")}</span> <LabelChip label={preview} />
        </p>
      </fieldset>

      {builtin ? (
        <p class="help">{t(`labels.builtin.${label.builtin}`)}</p>
      ) : (
        <fieldset class="labels-kind">
          <legend>{t("labels.form.kind")}</legend>
          <label class="labels-kind-option">
            <input type="radio" name={`${prefix}-kind`} value="manual" checked={type === "manual"}
              onChange={() => setType("manual")} />
            <span><strong>{t("labels.kind.manual")}</strong> <span class="help">{t("labels.form.manualHelp")}</span></span>
          </label>
          <label class="labels-kind-option">
            <input type="radio" name={`${prefix}-kind`} value="auto" checked={type === "auto"}
              onChange={() => setType("auto")} />
            <span><strong>{t("labels.kind.auto")}</strong> <span class="help">{t("labels.form.autoHelp")}</span></span>
          </label>
        </fieldset>
      )}

      {type === "auto" && !builtin && (
        <div class="labels-field">
          <label for={`${prefix}-keyword`}>{t("labels.keywords.label")}</label>
          <KeywordChips
            id={`${prefix}-keyword`}
            keywords={keywords}
            onChange={setKeywords}
            draft={draft}
            onDraft={setDraft}
            problem={problems.keywords}
            onProblem={(text) => problem("keywords", text)}
            describedBy={`${prefix}-keywords-help`}
          />
          <p class={problems.keywords ? "field-error" : "help"} id={`${prefix}-keywords-help`} aria-live="polite">
            {problems.keywords || t("labels.keywords.help")}
          </p>
        </div>
      )}

      {editing && (
        <label class="labels-active">
          <input type="checkbox" checked={active} onChange={(event) => setActive(event.currentTarget.checked)} />
          {t("labels.form.active")}
        </label>
      )}

      {failure && <p class="field-error" role="alert">{t(failure)}</p>}
      <div class="labels-form-actions">
        <button type="button" class="button subtle" onClick={onCancel} disabled={busy}>{t("labels.form.cancel")}</button>
        <button type="submit" class="button primary" disabled={busy}>
          {editing ? t("labels.form.save") : t("labels.form.create")}
        </button>
      </div>
    </form>
  );
}

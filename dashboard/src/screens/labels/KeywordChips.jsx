// An automatic label's keywords as chips. A keyword is compared as the pipeline compares
// it (foldKeyword, the database's folding): what the owner types is what matches, so a
// keyword that folds to nothing, or like one already there, is refused here with the
// reason. Enter or a comma adds; each chip has its own remove button; Backspace in the
// empty field removes the last one.
import { useState } from "preact/hooks";
import { foldKeyword, MAX_KEYWORD_LENGTH, MAX_KEYWORDS, tidyKeyword } from "../../data/labels.js";
import { t } from "../../i18n/index.js";

/**
 * The keywords after adding `text` (split at commas), or {problem} saying why one of
 * them cannot be added.
 */
export function addKeywords(keywords, text) {
  const added = [...keywords];
  for (const part of String(text).split(",")) {
    const word = tidyKeyword(part);
    if (!word) continue;
    const folded = foldKeyword(word);
    if (!folded) return { problem: t("labels.keywords.noLetters", { word }) };
    if (word.length > MAX_KEYWORD_LENGTH) return { problem: t("labels.keywords.tooLong", { max: MAX_KEYWORD_LENGTH }) };
    const same = added.find((known) => foldKeyword(known) === folded);
    if (same) return { problem: t("labels.keywords.repeated", { word, same }) };
    if (added.length >= MAX_KEYWORDS) return { problem: t("labels.keywords.tooMany", { max: MAX_KEYWORDS }) };
    added.push(word);
  }
  return { keywords: added };
}

export function KeywordChips({ id, keywords, onChange, draft, onDraft, problem, onProblem, describedBy }) {
  const add = () => {
    const result = addKeywords(keywords, draft);
    if (result.problem) {
      onProblem(result.problem);
      return;
    }
    onProblem(null);
    onChange(result.keywords);
    onDraft("");
  };

  const remove = (index) => {
    onChange(keywords.filter((_, i) => i !== index));
    onProblem(null);
    document.getElementById(id)?.focus();
  };

  const onKeyDown = (event) => {
    if (event.key === "Enter" || event.key === ",") {
      event.preventDefault();
      if (draft.trim()) add();
    } else if (event.key === "Backspace" && draft === "" && keywords.length > 0) {
      event.preventDefault();
      onChange(keywords.slice(0, -1));
    }
  };

  return (
    <div class="labels-keywords">
      {keywords.length > 0 && (
        <ul class="labels-keyword-list" aria-label={t("labels.keywords.listLabel")}>
          {keywords.map((word, index) => (
            <li class="labels-keyword" key={`${word}-${index}`}>
              <span>{word}</span>
              <button
                type="button"
                class="chip-remove"
                aria-label={t("labels.keywords.remove", { word })}
                title={t("labels.keywords.remove", { word })}
                onClick={() => remove(index)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="labels-keyword-add">
        <input
          id={id}
          type="text"
          value={draft}
          maxLength={MAX_KEYWORD_LENGTH * 2}
          autocomplete="off"
          enterkeyhint="enter"
          aria-invalid={problem ? "true" : "false"}
          aria-describedby={describedBy}
          placeholder={t("labels.keywords.placeholder")}
          onKeyDown={onKeyDown}
          onInput={(event) => {
            onDraft(event.currentTarget.value);
            onProblem(null);
          }}
        />
        <button type="button" class="button subtle" onClick={add} disabled={!draft.trim()}>
          {t("labels.keywords.add")}
        </button>
      </div>
    </div>
  );
}

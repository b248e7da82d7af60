// Keywords as chips: type a word and press Enter or a comma to add it; each chip has its
// own remove button; Backspace in the empty field removes the last one. Pasted text is
// split at commas. Repeats (ignoring case and accents) are added once.
import { useState } from "preact/hooks";
import { t } from "../../i18n/index.js";
import { LIMITS } from "../../data/faqs.js";
import { fold } from "./words.js";

export function KeywordsInput({ id, value, onChange, describedBy, invalid }) {
  const [draft, setDraft] = useState("");
  const full = value.length >= LIMITS.keywords;

  const add = (text) => {
    const known = new Set(value.map(fold));
    const added = [];
    for (const part of text.split(",")) {
      const word = part.replace(/\s+/g, " ").trim().slice(0, LIMITS.keyword);
      const key = fold(word);
      if (!word || known.has(key) || value.length + added.length >= LIMITS.keywords) continue;
      known.add(key);
      added.push(word);
    }
    if (added.length) onChange([...value, ...added]);
    setDraft("");
  };

  const remove = (index) => {
    onChange(value.filter((_, i) => i !== index));
    document.getElementById(id)?.focus();
  };

  const onKeyDown = (event) => {
    if (event.key === "Enter" || event.key === ",") {
      if (draft.trim()) {
        event.preventDefault();
        add(draft);
      } else if (event.key === ",") {
        event.preventDefault();
      }
    } else if (event.key === "Backspace" && draft === "" && value.length > 0) {
      event.preventDefault();
      onChange(value.slice(0, -1));
    }
  };

  return (
    <div class={`keywords-input${invalid ? " invalid" : ""}`}>
      {value.length > 0 && (
        <ul class="keyword-chips" aria-label={t("faqs.keywords.listLabel")}>
          {value.map((word, index) => (
            <li class="keyword-chip" key={`${word}-${index}`}>
              <span>{word}</span>
              <button
                type="button"
                class="chip-remove"
                aria-label={t("faqs.keywords.remove", { word })}
                onClick={() => remove(index)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <input
        id={id}
        type="text"
        value={draft}
        maxLength={LIMITS.keyword}
        disabled={full}
        enterkeyhint="enter"
        autocomplete="off"
        aria-describedby={describedBy}
        aria-invalid={invalid ? "true" : "false"}
        placeholder={full ? t("faqs.keywords.full", { max: LIMITS.keywords }) : t("faqs.keywords.placeholder")}
        onInput={(event) => {
          const text = event.currentTarget.value;
          if (text.includes(",")) add(text);
          else setDraft(text);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => draft.trim() && add(draft)}
      />
    </div>
  );
}

import { LANGUAGES, language, setLanguage, t } from "../i18n/index.js";

export function LanguagePicker({ id = "language", visibleLabel = false }) {
  return (
    <span class="language">
      {!visibleLabel && <label for={id} class="visually-hidden">{t("language.label")}</label>}
      <select id={id} value={language()} onChange={(event) => setLanguage(event.currentTarget.value)}>
        {LANGUAGES.map(({ code, name }) => <option key={code} value={code} lang={code}>{name}</option>)}
      </select>
    </span>
  );
}

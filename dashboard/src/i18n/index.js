// Message catalogues: Spanish first, then Portuguese and English. The owner's choice is
// remembered in this browser. Every string a person sees comes from a catalogue: the
// shared one per language (es.json) and one per screen (faqs.es.json, …), merged here.
import es from "./es.json";
import pt from "./pt.json";
import en from "./en.json";

const SCREEN_CATALOGUES = import.meta.glob("./*.*.json", { eager: true, import: "default" });

export const LANGUAGES = [
  { code: "es", name: "Español" },
  { code: "pt", name: "Português" },
  { code: "en", name: "English" },
];
const CATALOGUES = { es: merged("es", es), pt: merged("pt", pt), en: merged("en", en) };
// Latin American Spanish and Brazilian Portuguese for dates and numbers.
const LOCALES = { es: "es-419", pt: "pt-BR", en: "en-US" };
const STORAGE_KEY = "facilchat.language";

function merged(code, shared) {
  const catalogue = { ...shared };
  for (const [path, messages] of Object.entries(SCREEN_CATALOGUES)) {
    if (path.endsWith(`.${code}.json`)) Object.assign(catalogue, messages);
  }
  return catalogue;
}

const listeners = new Set();
let current = savedLanguage();

function savedLanguage() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    return saved in CATALOGUES ? saved : "es";
  } catch {
    return "es";
  }
}

export function language() {
  return current;
}

export function locale() {
  return LOCALES[current];
}

export function setLanguage(code) {
  if (!(code in CATALOGUES) || code === current) return;
  current = code;
  try {
    localStorage.setItem(STORAGE_KEY, code);
  } catch {
    // Private windows may refuse storage; the choice then lasts for this page only.
  }
  document.documentElement.lang = code;
  for (const listener of listeners) listener(code);
}

export function onLanguageChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The message `key` in the current language, with `{name}` placeholders filled from
 * `params`. A message may have plural forms ({one, other}), chosen by `params.count`.
 */
export function t(key, params = {}) {
  let text = CATALOGUES[current][key] ?? CATALOGUES.es[key];
  if (text === undefined) {
    console.error(`FácilChat: no message "${key}"`);
    return key;
  }
  if (typeof text === "object") {
    const form = new Intl.PluralRules(locale()).select(Number(params.count ?? 0));
    text = text[form] ?? text.other;
  }
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
}

document.documentElement.lang = current;

// Words of a customer's message, as FAQ keywords: the ones the matcher reads as a subject
// (a topic or a thing), never greetings, thanks, question words or what needs a person,
// spelled as the customer wrote them.

// The matcher's kinds of slot worth a keyword (private.faq_text_features): greetings and
// stop words never become slots; intents ("tienen", "cuánto"), thanks, places and what
// needs a person would widen an FAQ to questions it does not answer.
const KEYWORD_KINDS = new Set(["topic", "object"]);

/** Text as the matcher folds it: lowercase, no accents, punctuation as spaces. */
export function fold(text) {
  return String(text ?? "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

/** `phrase` (folded) as written in `text`, accents included; the folded phrase otherwise. */
export function asWritten(text, phrase) {
  const tokens = String(text ?? "").split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const folded = tokens.map(fold);
  const wanted = phrase.split(" ");
  for (let start = 0; start + wanted.length <= tokens.length; start += 1) {
    if (wanted.every((word, i) => folded[start + i] === word)) {
      return tokens.slice(start, start + wanted.length).join(" ").toLocaleLowerCase();
    }
  }
  return phrase;
}

/** The words of `faq` already known to it: its keywords and its question's words. */
function knownWords(faq) {
  const known = new Set((faq?.keywords ?? []).map(fold));
  for (const word of fold(faq?.question).split(" ")) known.add(word);
  return known;
}

/**
 * The keywords a message suggests, from the tester's reading of it (`words`: [{words,
 * kind, faq_ids}]): subjects only, as written, each once.
 */
export function suggestedKeywords(text, words) {
  const seen = new Set();
  const suggested = [];
  for (const slot of words ?? []) {
    if (!KEYWORD_KINDS.has(slot.kind)) continue;
    const written = asWritten(text, slot.words);
    const key = fold(written);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    suggested.push(written);
  }
  return suggested;
}

/**
 * The owner's FAQs other than `faq` that already hold `word`, by the tester's reading
 * (`words`: [{words, kind, faq_ids}]; no `faq_ids` means none known). Adding such a word to
 * `faq` would make it answer that FAQ's questions.
 */
export function otherFaqsHolding(faq, word, words) {
  const key = fold(word);
  const held = new Set();
  for (const slot of words ?? []) {
    if (!KEYWORD_KINDS.has(slot.kind) || fold(slot.words) !== key) continue;
    for (const id of slot.faq_ids ?? []) {
      if (id !== faq?.id) held.add(id);
    }
  }
  return [...held];
}

/**
 * Of `chosen`, what adding them to `faq` would add: the words it does not know yet and no
 * other FAQ holds (`words`, the tester's reading, says which FAQs hold each word).
 */
export function newKeywordsFor(faq, chosen, words) {
  const known = knownWords(faq);
  return chosen.filter((word) => {
    const key = fold(word);
    if (!key || known.has(key) || key.split(" ").every((part) => known.has(part))) return false;
    return otherFaqsHolding(faq, word, words).length === 0;
  });
}

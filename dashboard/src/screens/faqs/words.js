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
 * kind}]): subjects only, as written, each once.
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

/** Of `chosen`, the words `faq` does not know yet: what adding them would add. */
export function newKeywordsFor(faq, chosen) {
  const known = knownWords(faq);
  return chosen.filter((word) => {
    const key = fold(word);
    return key && !(known.has(key) || key.split(" ").every((part) => known.has(part)));
  });
}

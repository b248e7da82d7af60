// "Probar": the owner types a message as a customer would and sees, as they type, the
// reply the webhook would send (public.test_faq_match runs the production matcher on the
// owner's own FAQs) and why: the words that matched, the runner-up, the rule that chose
// the fallback or the away message.
import { useEffect, useRef, useState } from "preact/hooks";
import { locale, t } from "../../i18n/index.js";
import { LIMITS, faqErrorKey, testFaqMatch } from "../../data/faqs.js";
import { KeywordPanel } from "./KeywordPanel.jsx";
import { asWritten } from "./words.js";

const DEBOUNCE_MS = 300;

function percent(score) {
  return new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 0 }).format(Number(score) || 0);
}

/**
 * Runs the tester on `text` as it changes (debounced); answers that arrive late are
 * dropped. The result comes with the text it is for (`tested`).
 */
function useFaqTest(text, version) {
  const [state, setState] = useState({ status: "idle", result: null, tested: "", error: null });
  const latest = useRef(0);
  useEffect(() => {
    const trimmed = text.trim();
    const request = ++latest.current;
    if (!trimmed) {
      setState({ status: "idle", result: null, tested: "", error: null });
      return undefined;
    }
    if (text.length > LIMITS.testText) {
      setState({ status: "error", result: null, tested: "", error: "faqs.error.testTooLong" });
      return undefined;
    }
    setState((current) => ({ ...current, status: "loading" }));
    const timer = setTimeout(async () => {
      try {
        const result = await testFaqMatch(text);
        if (request === latest.current) setState({ status: "done", result, tested: text, error: null });
      } catch (error) {
        if (request === latest.current) {
          setState({ status: "error", result: null, tested: "", error: faqErrorKey(error) });
        }
      }
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, version]);
  return state;
}

export function FaqTester({ faqs, text, onText, version, onFaqSaved }) {
  const { status, result, tested, error } = useFaqTest(text, version);
  return (
    <section class="faq-panel faq-tester" aria-labelledby="faq-tester-title">
      <h2 id="faq-tester-title">{t("faqs.tester.title")}</h2>
      <p class="help">{t("faqs.tester.intro")}</p>
      <label for="faq-test-input">{t("faqs.tester.label")}</label>
      <textarea
        id="faq-test-input"
        rows={2}
        maxLength={LIMITS.testText}
        value={text}
        placeholder={t("faqs.tester.placeholder")}
        aria-describedby="faq-test-status"
        onInput={(event) => onText(event.currentTarget.value)}
      />
      <p class="help" id="faq-test-status" role="status">
        {status === "loading" ? t("faqs.tester.testing") : ""}
      </p>
      <div id="faq-test-result" aria-live="polite" data-status={status}
        data-decision={status === "done" ? result?.decision : undefined}
        data-faq-id={status === "done" ? (result?.faq_id ?? "") : undefined}>
        {error && <p class="alert" role="alert">{t(error)}</p>}
        {result && <TestResult key={tested} text={tested} result={result} faqs={faqs} onFaqSaved={onFaqSaved} />}
      </div>
    </section>
  );
}

function questionOf(faqs, faqId, fallback) {
  return faqs.find((faq) => faq.id === faqId)?.question ?? fallback ?? "";
}

/** The decision, the reply, and the reasons, for a result of test_faq_match. */
function TestResult({ text, result, faqs, onFaqSaved }) {
  const [teaching, setTeaching] = useState(false);
  const [best, second] = result.candidates ?? [];
  const decision = result.decision;
  const headline = {
    faq: t("faqs.tester.decision.faq", { question: questionOf(faqs, result.faq_id, best?.question) }),
    fallback: t("faqs.tester.decision.fallback"),
    away: t("faqs.tester.decision.away"),
    opt_out: t("faqs.tester.decision.opt_out"),
  }[decision];
  const missed = decision === "fallback" || decision === "away";

  return (
    <div class={`test-result decision-${decision}`}>
      <p class="test-headline">{headline}</p>
      {result.reply && (
        <div class="test-reply">
          <span class="visually-hidden">{t("faqs.tester.replyLabel")}</span>
          <p class={`bubble out ${decision === "faq" ? "" : "kind-other"}`}>{result.reply}</p>
        </div>
      )}
      <ul class="test-reasons">
        {decision === "faq" && best && (
          <li>
            {t("faqs.tester.score", {
              score: percent(result.score), threshold: percent(result.threshold),
            })}
          </li>
        )}
        {decision === "opt_out" && <li>{t("faqs.tester.reason.command", { command: result.command })}</li>}
        {missed && <li class="test-reason">{reasonText(result, text, faqs)}</li>}
        {missed && result.reason === "too_close" && second && (
          <li>{t("faqs.tester.margin", { margin: percent(result.margin) })}</li>
        )}
        {decision === "away" && <li>{t("faqs.tester.closedNow")}</li>}
        {decision === "fallback" && result.away_message_set && <li>{t("faqs.tester.openNow")}</li>}
        {missed && <li>{t("faqs.tester.oncePerWindow", { hours: result.fallback_window_hours })}</li>}
      </ul>
      {best && decision !== "opt_out" && (
        <CandidateWhy text={text} candidate={best} faqs={faqs} place={1} chosen={decision === "faq"} />
      )}
      {second && decision !== "opt_out" && (
        <CandidateWhy text={text} candidate={second} faqs={faqs} place={2} chosen={false} />
      )}
      {missed && onFaqSaved && faqs.length > 0 && (
        teaching ? (
          <KeywordPanel
            idPrefix="tester-teach"
            text={text}
            result={result}
            faqs={faqs}
            onCancel={() => setTeaching(false)}
            onSaved={(faq, added) => {
              setTeaching(false);
              onFaqSaved(faq, added);
            }}
          />
        ) : (
          <button type="button" class="button subtle" id="tester-teach" onClick={() => setTeaching(true)}>
            {t("faqs.missed.addWords")}
          </button>
        )
      )}
    </div>
  );
}

function reasonText(result, text, faqs) {
  const [best, second] = result.candidates ?? [];
  const subjects = (result.words ?? [])
    .filter((slot) => ["topic", "object"].includes(slot.kind))
    .map((slot) => `«${asWritten(text, slot.words)}»`);
  const wordsOf = (kinds) => (result.words ?? [])
    .filter((slot) => kinds.includes(slot.kind))
    .map((slot) => `«${asWritten(text, slot.words)}»`).join(", ");
  switch (result.reason) {
    case "low_score":
      return t("faqs.tester.reason.low_score", {
        question: questionOf(faqs, best?.faq_id, best?.question),
        score: percent(best?.score), threshold: percent(result.threshold),
      });
    case "too_close":
      return t("faqs.tester.reason.too_close", {
        first: questionOf(faqs, best?.faq_id, best?.question), firstScore: percent(best?.score),
        second: questionOf(faqs, second?.faq_id, second?.question), secondScore: percent(second?.score),
      });
    case "needs_person":
      return t("faqs.tester.reason.needs_person", { words: wordsOf(["human"]) });
    case "other_subject":
      return t("faqs.tester.reason.other_subject", { words: wordsOf(["guard"]) });
    case "other_place":
      return t("faqs.tester.reason.other_place", { words: wordsOf(["place"]) });
    case "thanks":
      return t("faqs.tester.reason.thanks");
    case "no_words":
      return t("faqs.tester.reason.no_words");
    default:
      return subjects.length
        ? t("faqs.tester.reason.no_match", { words: subjects.join(", ") })
        : t("faqs.tester.reason.no_match_plain");
  }
}

const SOURCE_ORDER = { question: 0, keyword: 1, answer: 2 };

/** Where an FAQ met a word of the message: the FAQ's words sharing that meaning. */
function metBy(explanation, via) {
  if (!via) return null;
  const sides = (explanation?.faq ?? []).filter((slot) => slot.via === via && Number(slot.match) > 0)
    .sort((a, b) => SOURCE_ORDER[a.source] - SOURCE_ORDER[b.source]);
  return sides[0] ?? null;
}

function CandidateWhy({ text, candidate, faqs, place, chosen }) {
  const explanation = candidate.explanation ?? {};
  const question = questionOf(faqs, candidate.faq_id, candidate.question);
  const faq = faqs.find((item) => item.id === candidate.faq_id);
  // The FAQ's words as the owner wrote them (the matcher reports them folded).
  const faqText = faq ? [faq.question, ...faq.keywords, faq.answer].join(" \n ") : question;
  const heading = place === 1
    ? t(chosen ? "faqs.tester.whyChosen" : "faqs.tester.bestCandidate", { question, score: percent(candidate.score) })
    : t("faqs.tester.runnerUp", { question, score: percent(candidate.score) });
  return (
    <div class={`test-why place-${place}`} data-faq-id={candidate.faq_id}>
      <p class="test-why-title">{heading}</p>
      <ul class="test-words">
        {(explanation.message ?? []).map((slot, index) => {
          const side = metBy(explanation, slot.via);
          const written = asWritten(text, slot.words);
          const matched = Number(slot.match) > 0;
          return (
            <li key={index} class={matched ? "met" : "unmet"}>
              <span class="word">«{written}»</span>{" "}
              {matched && side
                ? t(`faqs.tester.met.${side.source}`, { words: asWritten(faqText, side.words) })
                : t("faqs.tester.unmet")}
              {matched && (
                <span class="share"> · {t("faqs.tester.share", { share: percent(slot.contribution) })}</span>
              )}
            </li>
          );
        })}
      </ul>
      <p class="help">
        {t("faqs.tester.coverage", {
          message: percent(explanation.message_coverage), faq: percent(explanation.faq_coverage),
        })}
      </p>
    </div>
  );
}

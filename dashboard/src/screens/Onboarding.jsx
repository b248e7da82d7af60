// Onboarding, shown while users.onboarding_complete is false: the business name, the
// fallback message, business hours and an away message (optional), the first FAQs.
// Each step is saved when the owner moves on, and the step reached is remembered in
// this browser, so the owner can leave and come back.
import { useEffect, useMemo, useState } from "preact/hooks";
import { LanguagePicker } from "../components/LanguagePicker.jsx";
import { fetchFaqs, insertFaqs, updateProfile } from "../data.js";
import { errorKey } from "../errors.js";
import { language, t } from "../i18n/index.js";
import { BUSINESS_KINDS, SUGGESTIONS } from "../onboarding/suggestions.js";
import { signOut } from "../supabase.js";

const STEPS = ["business", "fallback", "hours", "faqs"];
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const MAX_MESSAGE = 1600;
const PLACEHOLDER = /\[[^\]]+\]/;
const TIME_ZONES = [
  "America/Mexico_City", "America/Tijuana", "America/Cancun", "America/Bogota", "America/Lima",
  "America/Guayaquil", "America/Caracas", "America/La_Paz", "America/Santiago", "America/Argentina/Buenos_Aires",
  "America/Montevideo", "America/Asuncion", "America/Sao_Paulo", "America/Manaus", "America/Guatemala",
  "America/El_Salvador", "America/Tegucigalpa", "America/Managua", "America/Costa_Rica", "America/Panama",
  "America/Santo_Domingo", "America/Puerto_Rico", "America/New_York", "America/Los_Angeles", "Europe/Madrid",
  "Europe/Lisbon",
];

function stepStorageKey(userId) {
  return `facilchat.onboarding.${userId}`;
}

function savedStep(profile) {
  try {
    const saved = Number(localStorage.getItem(stepStorageKey(profile.id)));
    if (Number.isInteger(saved) && saved > 0 && saved < STEPS.length) return saved;
  } catch {
    // No storage: start from what the business already has.
  }
  return profile.business_name ? 1 : 0;
}

function rememberStep(userId, step) {
  try {
    localStorage.setItem(stepStorageKey(userId), String(step));
  } catch {
    // The owner then resumes from the business name.
  }
}

/** The editor's rows from business_hours ({"mon": [["09:00", "18:00"]], ...}). */
function hoursRows(businessHours) {
  return DAYS.map((day) => {
    const first = businessHours?.[day]?.[0];
    return { day, open: Boolean(first), from: first?.[0] ?? "09:00", to: first?.[1] ?? "18:00" };
  });
}

export function Onboarding({ profile, onSaved, onDone }) {
  const [step, setStep] = useState(() => savedStep(profile));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  useEffect(() => {
    rememberStep(profile.id, step);
    document.getElementById("onboarding-step-title")?.focus({ preventScroll: true });
  }, [step, profile.id]);

  const save = async (changes, next) => {
    setBusy(true);
    setError(null);
    try {
      const saved = Object.keys(changes).length > 0 ? await updateProfile(profile.id, changes) : profile;
      onSaved(saved);
      if (next === "done") {
        rememberStep(profile.id, 0);
        onDone(saved);
      } else {
        setStep(next);
      }
    } catch (failure) {
      setError(errorKey(failure));
    } finally {
      setBusy(false);
    }
  };

  const stepProps = { profile, busy, setBusy, setError, save, back: () => setStep(step - 1), next: step + 1 };

  return (
    <div class="onboarding">
      <header class="onboarding-top">
        <span class="logo" aria-hidden="true">F</span>
        <p class="onboarding-brand">{t("app.name")}</p>
        <div class="topbar-actions">
          <LanguagePicker id="onboarding-language" />
          <button type="button" class="button subtle" onClick={() => signOut()}>{t("action.signOut")}</button>
        </div>
      </header>
      <main class="onboarding-card">
        <p class="step-count" id="step-count">{t("onboarding.stepOf", { step: step + 1, total: STEPS.length })}</p>
        <ol class="progress" aria-hidden="true">
          {STEPS.map((name, index) => <li key={name} class={index <= step ? "done" : ""} />)}
        </ol>
        {error && <p class="alert" role="alert">{t(error)}</p>}
        {step === 0 && <BusinessStep {...stepProps} />}
        {step === 1 && <FallbackStep {...stepProps} />}
        {step === 2 && <HoursStep {...stepProps} />}
        {step === 3 && <FaqStep {...stepProps} />}
      </main>
    </div>
  );
}

function StepTitle({ children }) {
  return <h1 id="onboarding-step-title" tabIndex={-1}>{children}</h1>;
}

function BusinessStep({ profile, busy, save, next }) {
  const [name, setName] = useState(profile.business_name ?? "");
  const [invalid, setInvalid] = useState(false);
  const submit = (event) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) {
      setInvalid(true);
      return;
    }
    save({ business_name: trimmed }, next);
  };
  return (
    <form onSubmit={submit} noValidate>
      <StepTitle>{t("onboarding.business.title")}</StepTitle>
      <p>{t("onboarding.business.intro")}</p>
      <label for="business-name">{t("onboarding.business.label")}</label>
      <input
        id="business-name"
        type="text"
        value={name}
        maxLength={200}
        autocomplete="organization"
        aria-invalid={invalid ? "true" : "false"}
        aria-describedby={invalid ? "business-name-error" : undefined}
        placeholder={t("onboarding.business.placeholder")}
        onInput={(event) => {
          setName(event.currentTarget.value);
          setInvalid(false);
        }}
      />
      {invalid && <p class="field-error" id="business-name-error">{t("onboarding.business.required")}</p>}
      <WhatsAppNumber number={profile.whatsapp_number} />
      <div class="step-actions">
        <button type="submit" class="button primary" disabled={busy}>{t("onboarding.next")}</button>
      </div>
    </form>
  );
}

function WhatsAppNumber({ number }) {
  if (number) {
    return (
      <div class="notice success" id="whatsapp-number">
        <strong>{t("onboarding.number.assignedTitle")}</strong> {number}
      </div>
    );
  }
  return (
    <div class="notice" id="whatsapp-number">
      <strong>{t("onboarding.number.missingTitle")}</strong> {t("onboarding.number.missingText")}
    </div>
  );
}

function FallbackStep({ profile, busy, save, back, next }) {
  const [text, setText] = useState(profile.fallback_message ?? "");
  const [invalid, setInvalid] = useState(false);
  const submit = (event) => {
    event.preventDefault();
    const trimmed = text.trim();
    if (!trimmed || trimmed.length > MAX_MESSAGE) {
      setInvalid(true);
      return;
    }
    save({ fallback_message: trimmed }, next);
  };
  return (
    <form onSubmit={submit} noValidate>
      <StepTitle>{t("onboarding.fallback.title")}</StepTitle>
      <p>{t("onboarding.fallback.intro")}</p>
      <label for="fallback-message">{t("onboarding.fallback.label")}</label>
      <textarea
        id="fallback-message"
        rows={4}
        maxLength={MAX_MESSAGE}
        value={text}
        aria-invalid={invalid ? "true" : "false"}
        aria-describedby="fallback-help"
        onInput={(event) => {
          setText(event.currentTarget.value);
          setInvalid(false);
        }}
      />
      <p class={invalid ? "field-error" : "help"} id="fallback-help">
        {invalid ? t("onboarding.fallback.required") : t("onboarding.fallback.help", { count: text.trim().length, max: MAX_MESSAGE })}
      </p>
      <div class="step-actions">
        <button type="button" class="button subtle" onClick={back} disabled={busy}>{t("onboarding.back")}</button>
        <button type="submit" class="button primary" disabled={busy}>{t("onboarding.next")}</button>
      </div>
    </form>
  );
}

function HoursStep({ profile, busy, save, back, next }) {
  const [rows, setRows] = useState(() => hoursRows(profile.business_hours));
  const [timeZone, setTimeZone] = useState(profile.timezone || "America/Mexico_City");
  const [away, setAway] = useState(profile.away_message ?? "");
  const [problem, setProblem] = useState(null);
  const zones = useMemo(() => {
    const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return [...new Set([timeZone, browser, ...TIME_ZONES].filter(Boolean))];
  }, []);

  const update = (index, changes) => setRows((current) => current.map((row, i) => (i === index ? { ...row, ...changes } : row)));

  const submit = (event) => {
    event.preventDefault();
    const hours = {};
    for (const row of rows) {
      if (!row.open) continue;
      if (!row.from || !row.to || row.from >= row.to) {
        setProblem(t("onboarding.hours.badRange", { day: t(`day.${row.day}`) }));
        return;
      }
      hours[row.day] = [[row.from, row.to]];
    }
    if (away.trim().length > MAX_MESSAGE) {
      setProblem(t("onboarding.hours.awayTooLong", { max: MAX_MESSAGE }));
      return;
    }
    setProblem(null);
    save({ business_hours: hours, timezone: timeZone, away_message: away.trim() || null }, next);
  };

  return (
    <form onSubmit={submit} noValidate>
      <StepTitle>{t("onboarding.hours.title")}</StepTitle>
      <p>{t("onboarding.hours.intro")}</p>
      <label for="time-zone">{t("onboarding.hours.timeZone")}</label>
      <select id="time-zone" value={timeZone} onChange={(event) => setTimeZone(event.currentTarget.value)}>
        {zones.map((zone) => <option key={zone} value={zone}>{zone.replace(/_/g, " ")}</option>)}
      </select>
      <fieldset class="hours">
        <legend>{t("onboarding.hours.legend")}</legend>
        {rows.map((row, index) => (
          <div class="hours-row" key={row.day}>
            <input
              type="checkbox"
              id={`open-${row.day}`}
              checked={row.open}
              onChange={(event) => update(index, { open: event.currentTarget.checked })}
            />
            <label for={`open-${row.day}`} class="day-name">{t(`day.${row.day}`)}</label>
            <label for={`from-${row.day}`} class="visually-hidden">{t("onboarding.hours.from", { day: t(`day.${row.day}`) })}</label>
            <input
              type="time"
              id={`from-${row.day}`}
              value={row.from}
              disabled={!row.open}
              onInput={(event) => update(index, { from: event.currentTarget.value })}
            />
            <span aria-hidden="true">–</span>
            <label for={`to-${row.day}`} class="visually-hidden">{t("onboarding.hours.to", { day: t(`day.${row.day}`) })}</label>
            <input
              type="time"
              id={`to-${row.day}`}
              value={row.to}
              disabled={!row.open}
              onInput={(event) => update(index, { to: event.currentTarget.value })}
            />
          </div>
        ))}
        <p class="help">{t("onboarding.hours.noneMeansAlways")}</p>
      </fieldset>
      <label for="away-message">{t("onboarding.hours.awayLabel")}</label>
      <textarea
        id="away-message"
        rows={3}
        maxLength={MAX_MESSAGE}
        value={away}
        placeholder={t("onboarding.hours.awayPlaceholder")}
        onInput={(event) => setAway(event.currentTarget.value)}
      />
      <p class="help">{t("onboarding.hours.awayHelp")}</p>
      {problem && <p class="field-error" role="alert">{problem}</p>}
      <div class="step-actions">
        <button type="button" class="button subtle" onClick={back} disabled={busy}>{t("onboarding.back")}</button>
        <button type="button" class="button subtle" id="skip-hours" onClick={() => save({}, next)} disabled={busy}>
          {t("onboarding.skip")}
        </button>
        <button type="submit" class="button primary" disabled={busy}>{t("onboarding.next")}</button>
      </div>
    </form>
  );
}

function FaqStep({ profile, busy, setBusy, setError, save, back }) {
  const [kind, setKind] = useState(null);
  const [drafts, setDrafts] = useState([]);
  const [existing, setExisting] = useState(null);
  const [problem, setProblem] = useState(null);

  useEffect(() => {
    fetchFaqs().then(setExisting).catch((failure) => setError(errorKey(failure)));
  }, []);

  const choose = (value) => {
    setKind(value);
    setProblem(null);
    const suggestions = SUGGESTIONS[language()]?.[value] ?? SUGGESTIONS.es[value];
    setDrafts(suggestions.map((faq) => ({ ...faq, selected: true })));
  };

  const update = (index, changes) => setDrafts((current) => current.map((draft, i) => (i === index ? { ...draft, ...changes } : draft)));

  const finish = async (event) => {
    event.preventDefault();
    const chosen = drafts.filter((draft) => draft.selected);
    const incomplete = chosen.findIndex((draft) => !draft.question.trim() || !draft.answer.trim()
      || PLACEHOLDER.test(draft.answer) || PLACEHOLDER.test(draft.question));
    if (incomplete >= 0) {
      setProblem(t("onboarding.faqs.fillIn", { number: incomplete + 1 }));
      document.getElementById(`faq-answer-${drafts.indexOf(chosen[incomplete])}`)?.focus();
      return;
    }
    setProblem(null);
    setBusy(true);
    setError(null);
    try {
      const start = (existing ?? []).reduce((max, faq) => Math.max(max, faq.position), 0);
      await insertFaqs(chosen.map((draft, index) => ({
        question: draft.question.trim(),
        answer: draft.answer.trim(),
        keywords: draft.keywords,
        position: start + index + 1,
      })));
      setDrafts([]);
      setKind(null);
    } catch (failure) {
      setError(errorKey(failure));
      setBusy(false);
      return;
    }
    setBusy(false);
    await save({ onboarding_complete: true }, "done");
  };

  return (
    <form onSubmit={finish} noValidate>
      <StepTitle>{t("onboarding.faqs.title")}</StepTitle>
      <p>{t("onboarding.faqs.intro")}</p>
      {existing && existing.length > 0 && (
        <p class="notice success" id="existing-faqs">{t("onboarding.faqs.existing", { count: existing.length })}</p>
      )}
      <fieldset class="kinds">
        <legend>{t("onboarding.faqs.kindLegend")}</legend>
        {BUSINESS_KINDS.map((value) => (
          <button
            key={value}
            type="button"
            class="kind"
            id={`kind-${value}`}
            aria-pressed={kind === value ? "true" : "false"}
            onClick={() => choose(value)}
          >
            {t(`onboarding.kind.${value}`)}
          </button>
        ))}
      </fieldset>
      {drafts.length > 0 && (
        <div class="drafts">
          <p class="help">{t("onboarding.faqs.review")}</p>
          {drafts.map((draft, index) => (
            <div class={`draft${draft.selected ? "" : " off"}`} key={`${kind}-${index}`}>
              <div class="draft-head">
                <input
                  type="checkbox"
                  id={`faq-use-${index}`}
                  checked={draft.selected}
                  onChange={(event) => update(index, { selected: event.currentTarget.checked })}
                />
                <label for={`faq-use-${index}`}>{t("onboarding.faqs.use", { number: index + 1 })}</label>
              </div>
              <label for={`faq-question-${index}`}>{t("onboarding.faqs.question")}</label>
              <input
                id={`faq-question-${index}`}
                type="text"
                maxLength={500}
                value={draft.question}
                disabled={!draft.selected}
                onInput={(event) => update(index, { question: event.currentTarget.value })}
              />
              <label for={`faq-answer-${index}`}>{t("onboarding.faqs.answer")}</label>
              <textarea
                id={`faq-answer-${index}`}
                rows={3}
                maxLength={MAX_MESSAGE}
                value={draft.answer}
                disabled={!draft.selected}
                onInput={(event) => update(index, { answer: event.currentTarget.value })}
              />
            </div>
          ))}
        </div>
      )}
      {problem && <p class="field-error" role="alert">{problem}</p>}
      <div class="step-actions">
        <button type="button" class="button subtle" onClick={back} disabled={busy}>{t("onboarding.back")}</button>
        <button type="submit" class="button primary" id="finish-onboarding" disabled={busy}>
          {drafts.some((draft) => draft.selected) ? t("onboarding.faqs.saveAndFinish") : t("onboarding.finish")}
        </button>
      </div>
    </form>
  );
}

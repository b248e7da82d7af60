// The FAQs that answered most in the period, with a bar for each count.
import { t } from "../../i18n/index.js";
import { sectionHref } from "../../router.js";
import { number } from "./format.js";

export function TopFaqs({ faqs }) {
  if (faqs.length === 0) {
    return (
      <p class="muted" id="top-faqs-empty">
        {t("metrics.faqs.none")} <a href={sectionHref("faqs")}>{t("metrics.faqs.edit")}</a>
      </p>
    );
  }
  const max = Math.max(...faqs.map((faq) => faq.answers));
  return (
    <>
      <table class="top-faqs" id="top-faqs">
        <caption class="visually-hidden">{t("metrics.faqs.caption")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("metrics.faqs.question")}</th>
            <th scope="col" class="number">{t("metrics.faqs.answers")}</th>
          </tr>
        </thead>
        <tbody>
          {faqs.map((faq) => (
            <tr key={faq.id} data-faq-id={faq.id} data-count={faq.answers}>
              <th scope="row">
                <span class="faq-question">{faq.question}</span>
                {!faq.active && <span class="faq-inactive"> · {t("metrics.faqs.inactive")}</span>}
                <span class="faq-bar" aria-hidden="true" style={{ width: `${(100 * faq.answers) / max}%` }} />
              </th>
              <td class="number">{number(faq.answers)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="card-link"><a href={sectionHref("faqs")}>{t("metrics.faqs.edit")}</a></p>
    </>
  );
}

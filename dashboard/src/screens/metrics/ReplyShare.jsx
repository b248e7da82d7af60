// How the messages received were answered: a stacked bar and the same numbers in a table.
import { t } from "../../i18n/index.js";
import { number, percent } from "./format.js";

export const SHARE_KINDS = ["faq", "fallback", "away", "other", "none"];

export function shares(replies) {
  return {
    faq: replies.faq,
    fallback: replies.fallback,
    away: replies.away,
    other: replies.optOut + replies.optIn,
    none: replies.none,
  };
}

export function ReplyShare({ replies }) {
  const counts = shares(replies);
  const total = replies.received;
  const summary = SHARE_KINDS.map((kind) => `${t(`metrics.share.${kind}`)}: ${percent(counts[kind], total)}`).join(", ");
  return (
    <div class="reply-share">
      <div class="share-bar" role="img" aria-label={summary}>
        {total > 0 && SHARE_KINDS.filter((kind) => counts[kind] > 0).map((kind) => (
          <span key={kind} class={`share-segment share-${kind}`} style={{ width: `${(100 * counts[kind]) / total}%` }} />
        ))}
      </div>
      <table class="share-table" id="reply-share">
        <caption class="visually-hidden">{t("metrics.share.caption", { count: total })}</caption>
        <thead>
          <tr>
            <th scope="col">{t("metrics.share.kind")}</th>
            <th scope="col" class="number">{t("metrics.share.messages")}</th>
            <th scope="col" class="number">{t("metrics.share.percent")}</th>
          </tr>
        </thead>
        <tbody>
          {SHARE_KINDS.map((kind) => (
            <tr key={kind} data-kind={kind} data-count={counts[kind]}>
              <th scope="row">
                <span class={`share-swatch share-${kind}`} aria-hidden="true" />
                {t(`metrics.share.${kind}`)}
              </th>
              <td class="number">{number(counts[kind])}</td>
              <td class="number">{percent(counts[kind], total)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr data-kind="received" data-count={total}>
            <th scope="row">{t("metrics.share.received")}</th>
            <td class="number">{number(total)}</td>
            <td class="number">{percent(total, total)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

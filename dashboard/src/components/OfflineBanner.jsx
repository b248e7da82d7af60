import { t } from "../i18n/index.js";

export function OfflineBanner() {
  return (
    <div class="banner offline" role="status" id="offline-banner">
      <strong>{t("live.offlineTitle")}</strong> {t("live.offlineText")}
    </div>
  );
}

// The screens of the dashboard, as a row of links under the top bar (it scrolls sideways
// on a phone rather than hiding behind a menu: owners move between them all day).
import { t } from "../i18n/index.js";
import { SECTIONS, sectionHref } from "../router.js";

export function SectionNav({ current }) {
  const links = [{ name: "inbox", href: "#/" }, ...SECTIONS.map((name) => ({ name, href: sectionHref(name) }))];
  return (
    <nav class="section-nav" aria-label={t("nav.label")}>
      {links.map((link) => (
        <a
          key={link.name}
          id={`nav-${link.name}`}
          href={link.href}
          aria-current={current === link.name ? "page" : undefined}
        >
          {t(`nav.${link.name}`)}
        </a>
      ))}
    </nav>
  );
}

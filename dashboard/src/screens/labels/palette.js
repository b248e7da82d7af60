// The colours a label can take: distinct hues that keep at least 4.5:1 contrast with their
// text (white or near-black, whichever reads better: textColorOn), so a chip stays legible.
import { t } from "../../i18n/index.js";

export const PALETTE = [
  { hex: "#dc2626", name: () => t("labels.color.red") },
  { hex: "#c2410c", name: () => t("labels.color.orange") },
  { hex: "#eab308", name: () => t("labels.color.yellow") },
  { hex: "#84cc16", name: () => t("labels.color.lime") },
  { hex: "#15803d", name: () => t("labels.color.green") },
  { hex: "#0f766e", name: () => t("labels.color.teal") },
  { hex: "#0369a1", name: () => t("labels.color.sky") },
  { hex: "#2563eb", name: () => t("labels.color.blue") },
  { hex: "#7c3aed", name: () => t("labels.color.violet") },
  { hex: "#be185d", name: () => t("labels.color.pink") },
  { hex: "#92400e", name: () => t("labels.color.brown") },
  { hex: "#475569", name: () => t("labels.color.gray") },
];

export const DEFAULT_COLOR = "#2563eb";

/** The palette, plus the label's current colour when it is not one of them (older labels). */
export function choicesFor(current) {
  const known = PALETTE.some((color) => color.hex === current?.toLowerCase());
  if (!current || known) return PALETTE;
  return [...PALETTE, { hex: current.toLowerCase(), name: () => t("labels.color.current") }];
}

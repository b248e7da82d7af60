// An optional chime for new customer messages, made with Web Audio (no sound file).
const STORAGE_KEY = "facilchat.sound";
let context = null;

export function soundEnabled() {
  try {
    return localStorage.getItem(STORAGE_KEY) === "on";
  } catch {
    return false;
  }
}

/** Called from a click, so that the browser lets the page play sound. */
export function setSoundEnabled(enabled) {
  try {
    localStorage.setItem(STORAGE_KEY, enabled ? "on" : "off");
  } catch {
    // The choice then lasts for this page only.
  }
  if (enabled) {
    context ??= new AudioContext();
    context.resume();
    chime();
  }
}

export function chime() {
  if (!soundEnabled()) return;
  try {
    context ??= new AudioContext();
    const start = context.currentTime;
    for (const [offset, frequency] of [[0, 880], [0.12, 1320]]) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.2, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.25);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.3);
    }
  } catch {
    // No audio in this browser: the title and the badge still show the message.
  }
}

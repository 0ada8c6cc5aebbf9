/** Keyboard helpers for the booth screens: focus on arrival, and keys that act while no text field has focus. */
import { onBeforeUnmount, onMounted, type Ref } from 'vue';

/** Focuses an element when the screen appears (the kiosk has no mouse to click into it). */
export function useFocusOnMount(target: Ref<HTMLElement | null | undefined>): void {
  onMounted(() => target.value?.focus());
}

function typingInField(event: KeyboardEvent): boolean {
  const element = event.target as HTMLElement | null;
  if (!element) return false;
  if (element instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit'].includes(element.type);
  return element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement || element.isContentEditable;
}

/** Calls `handler` for keys pressed anywhere on the page while this screen is shown, except while typing. */
export function useScreenKeys(handler: (event: KeyboardEvent) => void): void {
  const listener = (event: KeyboardEvent): void => {
    if (event.altKey || event.ctrlKey || event.metaKey || typingInField(event)) return;
    handler(event);
  };
  onMounted(() => window.addEventListener('keydown', listener));
  onBeforeUnmount(() => window.removeEventListener('keydown', listener));
}

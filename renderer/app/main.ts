/**
 * The one script every page loads: the browser console (renderer/index.html, every window as a route) and
 * each Electron window (renderer/windows/<role>.html, `<body data-window="<role>">`, one view, no navigation).
 */
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import type { WindowRole } from '../../preload/contract';
import { createClient } from '../api/client';
import '../styles/index.css';
import App from './App.vue';
import { CLIENT_KEY, SHELL_KEY, type ShellContext } from './injection';
import { createAppRouter } from './router';
import { WINDOWS, isWindowRole } from './windows';

const declared = document.body.dataset.window;
const fixedRole: WindowRole | null = isWindowRole(declared) ? declared : null;
const shell: ShellContext = { mode: fixedRole ? 'window' : 'console', fixedRole };

const router = createAppRouter({ fixedRole });

/**
 * Where "open window" goes when there is no Electron bridge: a route of the console, or, from a single window
 * page served over HTTP, that window's own page (the token stays in this tab's sessionStorage).
 */
async function navigate(role: WindowRole): Promise<void> {
  if (shell.mode === 'console') {
    await router.push(WINDOWS[role].path);
  } else {
    window.location.assign(`./${role}.html`);
  }
}

const app = createApp(App);
app.provide(CLIENT_KEY, createClient(navigate));
app.provide(SHELL_KEY, shell);
app.use(createPinia());
app.use(router);
app.mount('#app');

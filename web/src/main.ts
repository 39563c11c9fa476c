// Boot: the API's settings, the sign-in round trip, then the app. Nothing is shown to someone
// who is not signed in but the identity provider's own page.
import { createApp } from "vue";
import urql from "@urql/vue";
import App from "./App.vue";
import { createApiClient } from "./lib/api";
import { CALLBACK_PATH, createAuth } from "./lib/auth";
import { loadConfig } from "./lib/config";
import { AUTH } from "./lib/injection";
import { createCatalogueRouter } from "./router";
import "./style.css";

function here(): string {
  return window.location.pathname + window.location.search;
}

function bootFailure(message: string, action: { label: string; run: () => void }): void {
  const root = document.getElementById("app")!;
  root.replaceChildren();
  const main = document.createElement("main");
  main.className = "boot-failure";
  const heading = document.createElement("h1");
  heading.textContent = "Strata cannot start";
  const text = document.createElement("p");
  text.textContent = message;
  const button = document.createElement("button");
  button.textContent = action.label;
  button.addEventListener("click", action.run);
  main.append(heading, text, button);
  root.append(main);
}

async function boot(): Promise<void> {
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    bootFailure(`${(error as Error).message}. Is the Strata API running?`, {
      label: "Retry",
      run: () => window.location.reload(),
    });
    return;
  }
  const auth = createAuth(config);
  if (window.location.pathname === CALLBACK_PATH) {
    try {
      window.history.replaceState(null, "", await auth.finishSignIn());
    } catch (error) {
      bootFailure(`Signing in did not complete: ${(error as Error).message}.`, {
        label: "Sign in again",
        run: () => void auth.signIn("/"),
      });
      return;
    }
  }
  let user;
  try {
    user = await auth.user();
  } catch {
    user = null;
  }
  if (user === null) {
    try {
      await auth.signIn(here());
    } catch (error) {
      bootFailure(`The identity provider did not answer (${(error as Error).message}).`, {
        label: "Retry",
        run: () => window.location.reload(),
      });
    }
    return;
  }
  const app = createApp(App);
  app.provide(AUTH, auth);
  app.use(urql, createApiClient(auth, config.graphql, here));
  app.use(createCatalogueRouter());
  app.mount("#app");
}

void boot();

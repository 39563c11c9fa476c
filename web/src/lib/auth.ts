// Sign-in through the identity provider's own page (authorization code + PKCE, oidc-client-ts).
// Tokens live in sessionStorage, never in a URL; the refresh token renews them before they expire.
import { UserManager, WebStorageStateStore, type User } from "oidc-client-ts";
import type { WebConfig } from "./config";

export const CALLBACK_PATH = "/auth/callback";
const LAST_ROUND = "strata.signInRound";

export interface Auth {
  user(): Promise<User | null>;
  token(): Promise<string | null>;
  signIn(returnTo: string): Promise<void>;
  // After the API refused the token: at most one round a minute, else an error.
  signInAgain(returnTo: string): Promise<void>;
  finishSignIn(): Promise<string>;
  signOut(): Promise<void>;
  onChange(listener: (user: User | null) => void): void;
}

interface ReturnState {
  returnTo: string;
}

export function createAuth(config: WebConfig, origin = window.location.origin): Auth {
  const manager = new UserManager({
    authority: config.issuer,
    client_id: config.clientId,
    redirect_uri: origin + CALLBACK_PATH,
    post_logout_redirect_uri: origin + "/",
    response_type: "code",
    scope: "openid profile email",
    automaticSilentRenew: true,
    accessTokenExpiringNotificationTimeInSeconds: 60,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
  const listeners: ((user: User | null) => void)[] = [];
  const tell = (user: User | null) => listeners.forEach((listener) => listener(user));
  manager.events.addUserLoaded((user) => tell(user));
  manager.events.addUserUnloaded(() => tell(null));
  manager.events.addSilentRenewError(() => tell(null));

  async function live(): Promise<User | null> {
    const user = await manager.getUser();
    if (user === null) return null;
    if (!user.expired) return user;
    // Renew once with the refresh token; a session ended at the provider means signing in again.
    try {
      return await manager.signinSilent();
    } catch {
      await manager.removeUser();
      return null;
    }
  }

  return {
    user: live,
    async token() {
      return (await live())?.access_token ?? null;
    },
    async signIn(returnTo) {
      const state: ReturnState = { returnTo };
      await manager.signinRedirect({ state });
    },
    async signInAgain(returnTo) {
      // A token the API refuses right after a sign-in (a wrong audience, a clock far off) would
      // send the page back and forth for ever: a second round within a minute is an error instead.
      const last = Number(window.sessionStorage.getItem(LAST_ROUND) ?? "0");
      if (Date.now() - last < 60_000) {
        throw new Error("Strata refused the sign-in it was just given; ask an administrator to check its settings");
      }
      window.sessionStorage.setItem(LAST_ROUND, String(Date.now()));
      await this.signIn(returnTo);
    },
    async finishSignIn() {
      const user = await manager.signinRedirectCallback();
      const state = user.state as ReturnState | undefined;
      return safeReturn(state?.returnTo);
    },
    async signOut() {
      await manager.signoutRedirect();
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}

// Only a path of this site: an open redirect through the sign-in state is not on offer.
export function safeReturn(returnTo: string | undefined): string {
  if (!returnTo || !returnTo.startsWith("/") || returnTo.startsWith("//") || returnTo.startsWith(CALLBACK_PATH)) {
    return "/";
  }
  return returnTo;
}

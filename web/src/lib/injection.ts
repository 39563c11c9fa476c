import type { InjectionKey } from "vue";
import type { Auth } from "./auth";

export const AUTH: InjectionKey<Auth> = Symbol("auth");

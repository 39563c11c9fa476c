// What the page needs to know before it can sign in: served by the API at /web-config.json.
export interface WebConfig {
  issuer: string;
  clientId: string;
  graphql: string;
}

export async function loadConfig(): Promise<WebConfig> {
  const response = await fetch("/web-config.json", { cache: "no-cache" });
  if (!response.ok) throw new Error(`the API did not give its settings (HTTP ${response.status})`);
  return (await response.json()) as WebConfig;
}

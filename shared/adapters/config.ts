/** Thrown at start-up when the environment lacks a setting: fail fast, name the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads a required environment variable; throws naming it when it is missing. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new ConfigError(
      `Environment variable ${name} is not set; the deployment (or local stack) must set it.`,
    );
  }
  return value;
}

/** Reads an optional environment variable. */
export function optionalEnv(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

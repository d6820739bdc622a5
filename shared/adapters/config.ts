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

/**
 * Reads a required environment variable holding a whole number ≥ 1; throws naming the variable
 * and the value when it is missing or anything else (`'5'` → 5; `'five'`, `'0'`, `'2.5'` throw).
 */
export function positiveIntegerEnv(name: string, env: NodeJS.ProcessEnv = process.env): number {
  const text = requireEnv(name, env);
  if (!/^[1-9][0-9]*$/.test(text)) {
    throw new ConfigError(
      `Environment variable ${name} is "${text}"; set it to a whole number of at least 1.`,
    );
  }
  return Number(text);
}

/** The log levels a function may be set to, least to most severe (`SILENT` prints nothing). */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const;

/** One of `LOG_LEVELS`. */
export type LogLevelName = (typeof LOG_LEVELS)[number];

/**
 * The log level from `POWERTOOLS_LOG_LEVEL` (any case), `INFO` when unset; throws naming the
 * value and the choices when it is something else.
 */
export function logLevelEnv(env: NodeJS.ProcessEnv = process.env): LogLevelName {
  const text = optionalEnv('POWERTOOLS_LOG_LEVEL', env);
  if (text === undefined) return 'INFO';
  const level = LOG_LEVELS.find((l) => l === text.toUpperCase());
  if (!level) {
    throw new ConfigError(
      `Environment variable POWERTOOLS_LOG_LEVEL is "${text}"; set it to one of ${LOG_LEVELS.join(', ')}.`,
    );
  }
  return level;
}

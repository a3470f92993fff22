// The operator's logger: pino JSON on stdout, one line per event, secrets redacted by key.
import { type LevelWithSilent, type Logger, pino } from "pino";

export type { Logger };

/**
 * Keys whose values never reach a log line, at any depth pino's redaction reaches.
 * Why by key: credential values travel in config objects and SDK errors (request headers),
 * and a pattern on values cannot know what a secret looks like.
 */
const SECRET_PATHS = [
  "clientSecret",
  "*.clientSecret",
  "*.*.clientSecret",
  "password",
  "*.password",
  "token",
  "*.token",
  "accessToken",
  "*.accessToken",
  "authorization",
  "*.authorization",
  "*.headers.authorization",
  "*.*.headers.authorization",
  '*.headers["x-ms-authorization-auxiliary"]',
  '*.*.headers["x-ms-authorization-auxiliary"]',
  "AZURE_CLIENT_SECRET",
  "*.AZURE_CLIENT_SECRET",
];

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Where lines go; defaults to stdout. Tests pass a stream to read what was logged. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { app: "azure-gallery-operator" },
      redact: { paths: SECRET_PATHS, censor: "[REDACTED]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? process.stdout,
  );
}

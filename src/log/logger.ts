import type { Writable } from 'node:stream';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'text' | 'json';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** From now on, `secret` is replaced by `***` wherever it would appear. */
  redact(secret: string): void;
  /** Whether debug lines are written: a caller in a hot loop builds them only then. */
  readonly debugging: boolean;
}

export interface LoggerOptions {
  stream: Writable;
  format: LogFormat;
  level: LogLevel;
  color: boolean;
}

const LEVEL_COLOR: Record<LogLevel, string> = { error: '\x1b[31m', warn: '\x1b[33m', info: '\x1b[36m', debug: '\x1b[90m' };

/** Logs go to stderr: one line per entry, text for people or JSON lines for collectors. */
export function createLogger(options: LoggerOptions): Logger {
  const secrets: string[] = [];
  const threshold = LOG_LEVELS.indexOf(options.level);
  const scrub = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('***'), text);

  const write = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (LOG_LEVELS.indexOf(level) > threshold) return;
    const line = options.format === 'json' ? jsonLine(level, message, fields) : textLine(level, message, fields, options.color);
    options.stream.write(scrub(line) + '\n');
  };
  return {
    error: (m, f) => write('error', m, f),
    warn: (m, f) => write('warn', m, f),
    info: (m, f) => write('info', m, f),
    debug: (m, f) => write('debug', m, f),
    redact: (secret) => {
      if (secret.length > 0) secrets.push(secret);
    },
    debugging: threshold >= LOG_LEVELS.indexOf('debug'),
  };
}

function jsonLine(level: LogLevel, message: string, fields: LogFields): string {
  return JSON.stringify({ time: new Date().toISOString(), level, msg: oneLine(message), ...fields });
}

function textLine(level: LogLevel, message: string, fields: LogFields, color: boolean): string {
  const label = color ? `${LEVEL_COLOR[level]}${level}\x1b[0m` : level;
  const extra = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}=${formatValue(value)}`)
    .join('');
  return `${label}: ${oneLine(message)}${extra}`;
}

function formatValue(value: LogFields[string]): string {
  const text = String(value);
  return /\s|"/.test(text) ? JSON.stringify(text) : text;
}

// A message is one line, whatever a library put in it.
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

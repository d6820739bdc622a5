import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Transporter } from 'nodemailer';

/** One e-mail to send: plain text (and optionally HTML), to one recipient. */
export type OutgoingMail = {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
};

/**
 * The mail port: sends one message or throws (the caller keeps it queued and retries). Resolves
 * with the id the mail service gave the message.
 */
export type MailSender = (mail: OutgoingMail) => Promise<{ messageId: string }>;

/**
 * Sends through Amazon SES (API v2, `SendEmail` with simple content, UTF-8 throughout), in the
 * configuration set given (bounces and complaints are published from there).
 */
export function sesMailSender(client: SESv2Client, configurationSetName?: string): MailSender {
  return async (mail) => {
    const charset = 'UTF-8';
    const out = await client.send(
      new SendEmailCommand({
        FromEmailAddress: mail.from,
        Destination: { ToAddresses: [mail.to] },
        ConfigurationSetName: configurationSetName,
        Content: {
          Simple: {
            Subject: { Data: mail.subject, Charset: charset },
            Body: {
              Text: { Data: mail.text, Charset: charset },
              ...(mail.html === undefined ? {} : { Html: { Data: mail.html, Charset: charset } }),
            },
            ...(mail.headers
              ? { Headers: Object.entries(mail.headers).map(([Name, Value]) => ({ Name, Value })) }
              : {}),
          },
        },
      }),
    );
    return { messageId: out.MessageId ?? '' };
  };
}

/**
 * Sends through an SMTP server without authentication or TLS: the local stack's server on
 * 127.0.0.1. One connection per message (no pool), so a server that went away and came back is
 * simply reached again.
 */
export function smtpMailSender(options: { host: string; port: number }): MailSender {
  // Loaded on first use: on Lambda (SES) nodemailer stays a chunk of the bundle never read.
  let transport: Promise<Transporter> | undefined;
  return async (mail) => {
    transport ??= import('nodemailer').then(({ createTransport }) =>
      createTransport({
        host: options.host,
        port: options.port,
        secure: false,
        ignoreTLS: true,
        connectionTimeout: 5_000,
        greetingTimeout: 5_000,
        socketTimeout: 10_000,
      }),
    );
    const info = await (await transport).sendMail({
      from: mail.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      ...(mail.html === undefined ? {} : { html: mail.html }),
      ...(mail.headers ? { headers: mail.headers } : {}),
    });
    return { messageId: String(info.messageId ?? '') };
  };
}

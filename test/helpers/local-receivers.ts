import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

/**
 * Real receivers on 127.0.0.1 for notification tests: an HTTP server (Slack, webhooks, and the SNS
 * endpoint the AWS SDK posts to) and an SMTP server. Each listens on a free port, records what it
 * got, and is closed by the test. Nothing here reaches beyond loopback.
 */

/** What SNS answers to a successful Publish (AWS query protocol, XML). */
export const PUBLISH_RESPONSE_XML =
  '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>' +
  "<MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult>" +
  "<ResponseMetadata><RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId></ResponseMetadata></PublishResponse>";

/**
 * Dummy AWS credentials in this process's environment. The SDK's default chain reads these first,
 * so it never looks further (no shared config, no instance metadata service off the machine).
 */
export function useDummyAwsCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = "AKIDCACHESTRESSTEST";
  process.env.AWS_SECRET_ACCESS_KEY = "dummy-secret-for-loopback-tests";
  process.env.AWS_EC2_METADATA_DISABLED = "true";
}

export interface CapturedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpReceiver {
  url: string;
  requests: CapturedRequest[];
  close(): Promise<void>;
}

/** `reply(n)` answers the n-th request (0-based) with a status and body. */
export async function httpReceiver(
  reply: (n: number) => [number, string, string?] = () => [200, "ok"],
): Promise<HttpReceiver> {
  const requests: CapturedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const n = requests.length;
      requests.push({
        method: req.method!,
        path: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const [status, body, type] = reply(n);
      res.writeHead(status, { "content-type": type ?? "text/plain" }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Mail {
  from: string;
  to: string[];
  user?: string;
  password?: string;
  raw: string;
}

/** `rejectLogin`: every AUTH fails with 535, as a server does for a wrong password. */
export async function smtpReceiver(
  rejectLogin = false,
): Promise<{ port: number; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const logins = new Map<string, { user: string; password: string }>();
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, session, callback) {
      if (rejectLogin) return callback(new Error("Invalid username or password"));
      logins.set(session.id, { user: auth.username ?? "", password: auth.password ?? "" });
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const login = logins.get(session.id);
        const envelope = session.envelope;
        const from = envelope.mailFrom === false ? "" : envelope.mailFrom.address;
        mails.push({
          from,
          to: envelope.rcptTo.map((r) => r.address),
          ...login,
          raw: Buffer.concat(chunks).toString(),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * The text body of a single-part mail as its sender wrote it: quoted-printable decoded when the
 * mail says it is (nodemailer picks it for lines with `=` or non-ASCII text), CRLF made LF.
 */
export function mailBodyText(raw: string): string {
  const body = raw.slice(raw.indexOf("\r\n\r\n") + 4);
  const quoted = /^Content-Transfer-Encoding: quoted-printable\r$/im.test(
    raw.slice(0, raw.indexOf("\r\n\r\n")),
  );
  return quoted ? decodeQuotedPrintable(body) : body.replace(/\r\n/g, "\n");
}

function decodeQuotedPrintable(body: string): string {
  const bytes = body
    .replace(/=\r\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(bytes, "latin1").toString("utf8").replace(/\r\n/g, "\n");
}

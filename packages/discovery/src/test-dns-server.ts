import { createSocket, type Socket } from 'node:dgram';
import * as dnsPacket from 'dns-packet';

/** A record the test DNS server answers with. */
export type TestRecord =
  | { type: 'A'; address: string; ttl: number }
  | { type: 'SRV'; target: string; port: number; ttl: number; priority?: number; weight?: number };

/**
 * A DNS server on 127.0.0.1 speaking the real wire format over UDP: it
 * answers A and SRV questions from `records` (change them at any time) and
 * NXDOMAIN for names it does not know. `stop()`/`start()` take it down and
 * back up on the same port.
 */
export class TestDnsServer {
  readonly records = new Map<string, TestRecord[]>();
  queries = 0;
  private socket: Socket | undefined;
  port = 0;

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  set(name: string, records: TestRecord[]): void {
    this.records.set(name.toLowerCase(), records);
  }

  async start(): Promise<void> {
    const socket = createSocket('udp4');
    socket.on('message', (message, remote) => {
      let query: dnsPacket.Packet;
      try {
        query = dnsPacket.decode(message);
      } catch {
        return;
      }
      this.queries++;
      const question = query.questions?.[0];
      const known = question ? this.records.get(question.name.toLowerCase()) : undefined;
      const answers: dnsPacket.Answer[] = [];
      for (const r of known ?? []) {
        if (r.type !== question?.type) continue;
        if (r.type === 'A')
          answers.push({ type: 'A', name: question.name, ttl: r.ttl, data: r.address });
        else
          answers.push({
            type: 'SRV',
            name: question.name,
            ttl: r.ttl,
            data: {
              target: r.target,
              port: r.port,
              priority: r.priority ?? 0,
              weight: r.weight ?? 1,
            },
          });
      }
      const response = dnsPacket.encode({
        type: 'response',
        id: query.id ?? 0,
        // RD copied, RA set, AA set; rcode 3 (NXDOMAIN) for unknown names.
        flags:
          dnsPacket.RECURSION_DESIRED |
          dnsPacket.RECURSION_AVAILABLE |
          dnsPacket.AUTHORITATIVE_ANSWER |
          (known ? 0 : 3),
        questions: query.questions ?? [],
        answers,
      });
      socket.send(response, remote.port, remote.address);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.port, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.port = socket.address().port;
    this.socket = socket;
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}

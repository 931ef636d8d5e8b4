/**
 * A throwaway CA and a server certificate for 127.0.0.1/localhost, made with openssl at test time.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCertificates {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** The CA certificate, PEM. */
  ca: string;
}

/** Make a CA and a server certificate signed by it (subjectAltName IP:127.0.0.1, DNS:localhost). */
export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), "resplex-tls-"));
  const f = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=resplex test CA",
    "-keyout", f("ca.key"), "-out", f("ca.crt"));
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", f("server.key"), "-out", f("server.csr"));
  writeFileSync(f("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n");
  openssl("x509", "-req", "-in", f("server.csr"), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial",
    "-days", "2", "-extfile", f("ext.cnf"), "-out", f("server.crt"));
  return { dir, caFile: f("ca.crt"), certFile: f("server.crt"), keyFile: f("server.key"), ca: readFileSync(f("ca.crt"), "utf8") };
}

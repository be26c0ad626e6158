import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseAllDocuments } from "yaml";
import { planK8sJob, splitK8sArgs } from "../../../src/cli/k8s-command.js";
import { resolveRunConfig } from "../../../src/run/resolve-config.js";
import { renderK8sManifest } from "../../../src/shard/k8s-manifest.js";

interface Container {
  name: string;
  image: string;
  command: string[];
  args: string[];
  env: { name: string; value?: string; valueFrom?: Record<string, Record<string, string>> }[];
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}

interface K8sDoc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  data: Record<string, string>;
  spec: {
    completionMode: string;
    completions: number;
    parallelism: number;
    backoffLimitPerIndex: number;
    template: {
      spec: { restartPolicy: string; containers: Container[]; volumes: Record<string, unknown>[] };
    };
  };
}

/** The manifest for argv, parsed back from its YAML text as kubectl would read it. */
async function manifest(argv: string[]) {
  const plan = await planK8sJob(argv);
  assert.ok(!("problems" in plan), JSON.stringify("problems" in plan && plan.problems));
  const text = renderK8sManifest(plan.options, ["a comment"]);
  assert.ok(text.startsWith("# a comment\n"));
  const docs = parseAllDocuments(text).map((d) => {
    assert.deepEqual(d.errors, []);
    return d.toJS() as K8sDoc;
  });
  const job = docs.find((d) => d.kind === "Job")!;
  const container = job.spec.template.spec.containers[0];
  return { docs, job, container, text, plan };
}

test("an Indexed Job: N pods at once, each running its own --shard from JOB_COMPLETION_INDEX", async () => {
  const { docs, job, container, text } = await manifest([
    "--shards",
    "3",
    "baseline",
    "--url",
    "redis://cache.load.svc:6379",
    "--threshold",
    "p(99)<5ms",
    "-c",
    "30",
    "--namespace",
    "load",
    "--image",
    "registry.example/cachestress:1",
    "--password-secret",
    "cache-auth:redis-password",
  ]);
  assert.equal(docs.length, 1, "a shipped scenario needs no ConfigMap");
  assert.equal(job.apiVersion, "batch/v1");
  assert.deepEqual(job.metadata.name, "cachestress-baseline");
  assert.equal(job.metadata.namespace, "load");
  assert.equal(job.spec.completionMode, "Indexed");
  assert.equal(job.spec.completions, 3);
  assert.equal(job.spec.parallelism, 3);
  assert.equal(job.spec.backoffLimitPerIndex, 0);
  assert.equal(job.spec.template.spec.restartPolicy, "Never");
  assert.equal(container.image, "registry.example/cachestress:1");
  assert.deepEqual(container.command, ["cachestress"]);
  assert.deepEqual(container.args.slice(0, 8), [
    "run",
    "baseline",
    "--url",
    "redis://cache.load.svc:6379",
    "--threshold",
    "p(99)<5ms",
    "-c",
    "30",
  ]);
  assert.deepEqual(container.args.slice(-5), [
    "--shard",
    "$(JOB_COMPLETION_INDEX)/3",
    "--out",
    "/results",
    "--json",
  ]);
  // Prefix and seed are chosen once, so every pod has the same ones.
  const prefix = container.args[container.args.indexOf("--prefix") + 1];
  const seed = container.args[container.args.indexOf("--seed") + 1];
  assert.match(prefix, /^cachestress:[0-9a-f]{8}:$/);
  assert.match(seed, /^\d+$/);
  const env = Object.fromEntries(container.env.map((e) => [e.name, e]));
  assert.deepEqual(env.REDIS_PASSWORD.valueFrom, {
    secretKeyRef: { name: "cache-auth", key: "redis-password" },
  });
  assert.equal(
    env.JOB_COMPLETION_INDEX.valueFrom?.fieldRef.fieldPath,
    "metadata.annotations['batch.kubernetes.io/job-completion-index']",
  );
  assert.deepEqual(job.spec.template.spec.volumes, [{ name: "results", emptyDir: {} }]);
  assert.ok(!/&a\d|\*a\d/.test(text), "no YAML anchors: plain objects only");

  // What a pod runs is a valid shard run: the same parser, with the index filled in.
  const podArgs = container.args.slice(1).map((a) => a.replace("$(JOB_COMPLETION_INDEX)", "2"));
  const outIndex = podArgs.indexOf("--out");
  podArgs.splice(outIndex, 2);
  const pod = await resolveRunConfig(podArgs, {});
  assert.deepEqual(pod.config.shard, { index: 2, count: 3 });
  assert.equal(pod.json, true);
});

test("a local scenario file travels in a ConfigMap mounted read-only; $( in user args is escaped", async () => {
  const dir = await mkdtemp(join(tmpdir(), "cachestress-k8s-"));
  const file = join(dir, "mine.yaml");
  await writeFile(file, "name: mine\nduration: 5s\nconnections: 6\nprefix: 'mine:'\nseed: 9\n");
  const { docs, job, container } = await manifest([
    file,
    "--shards",
    "2",
    "--url",
    "redis://cache:6379",
    "--env",
    "k8s",
    "--name",
    "load-test-1",
  ]);
  const configMap = docs.find((d) => d.kind === "ConfigMap")!;
  assert.equal(configMap.metadata.name, "load-test-1-scenario");
  assert.match(configMap.data["mine.yaml"], /connections: 6/);
  assert.equal(container.args[1], "/etc/cachestress/scenario/mine.yaml");
  assert.ok(!container.args.includes("--prefix"), "the file's prefix and seed are used as they are");
  assert.deepEqual(
    container.volumeMounts.find((m) => m.name === "scenario"),
    { name: "scenario", mountPath: "/etc/cachestress/scenario", readOnly: true },
  );
  assert.deepEqual(job.spec.template.spec.volumes[1], {
    name: "scenario",
    configMap: { name: "load-test-1-scenario" },
  });
  assert.equal(container.env.length, 1, "no password secret asked for, none referenced");

  const escaped = await manifest(["--shards", "1", "--url", "redis://c:1", "--prefix", "a$(B):"]);
  assert.ok(escaped.container.args.includes("a$$(B):"));
});

test("every problem at once: k8s flags, flags the manifest sets itself, a password in the URL, run flags", async () => {
  const plan = await planK8sJob([
    "--shards",
    "0",
    "--namespace",
    "Load",
    "--url",
    "redis://user:hunter2@cache:6379",
    "--shard",
    "1/2",
    "--out",
    "x",
    "--conections",
    "5",
    "--password-secret",
    "Bad Name",
  ]);
  assert.ok("problems" in plan);
  const fields = plan.problems.map((p) => p.field);
  assert.deepEqual(fields, [
    "--shards",
    "--namespace",
    "--password-secret",
    "--shard",
    "--out",
    "--url",
    "--conections",
  ]);
  assert.ok(!JSON.stringify(plan.problems).includes("hunter2"), "the password is never repeated");
  const noUrl = await planK8sJob(["--shards", "4", "-c", "2"]);
  assert.ok("problems" in noUrl);
  assert.deepEqual(
    noUrl.problems.map((p) => p.field),
    ["--url", "--connections"],
  );
});

test("splitK8sArgs keeps the run flags in order and takes both --flag value and --flag=value", () => {
  const { k8s, run, help } = splitK8sArgs([
    "--shards=3",
    "baseline",
    "-c",
    "4",
    "--image",
    "img:1",
    "--json",
  ]);
  assert.deepEqual(
    [...k8s],
    [
      ["shards", "3"],
      ["image", "img:1"],
    ],
  );
  assert.deepEqual(run, ["baseline", "-c", "4", "--json"]);
  assert.equal(help, false);
});

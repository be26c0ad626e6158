import { stringify } from "yaml";

/**
 * The Kubernetes objects `cachestress k8s` prints: an Indexed Job whose pod i runs
 * `cachestress run ... --shard i/N`, and, when the scenario is a local file, a ConfigMap that carries
 * it into the pods. Kubernetes runs, places and restarts nothing else; cachestress has no
 * coordinator of its own. The guide is docs/kubernetes.md.
 */
export interface K8sJobOptions {
  name: string;
  namespace?: string;
  image: string;
  shards: number;
  /** The `run` arguments every shard gets, without --shard, --out and --json (added here). */
  runArgs: string[];
  /** A local scenario file, mounted read-only at SCENARIO_DIR/fileName; runArgs name that path. */
  scenarioFile?: { fileName: string; text: string };
  /** The Secret holding the server's password, read into REDIS_PASSWORD. */
  passwordSecret?: { name: string; key: string };
}

/** Where a local scenario file is mounted in the pods. */
export const SCENARIO_DIR = "/etc/cachestress/scenario";
/** Where each pod writes its report files (an emptyDir; the result also goes to the log with --json). */
export const RESULTS_DIR = "/results";

export function buildK8sObjects(o: K8sJobOptions): Record<string, unknown>[] {
  const labels = { "app.kubernetes.io/name": "cachestress", "app.kubernetes.io/instance": o.name };
  const metadata = (name: string) => ({ name, ...(o.namespace && { namespace: o.namespace }), labels });
  const configMapName = `${o.name}-scenario`;
  const objects: Record<string, unknown>[] = [];
  if (o.scenarioFile !== undefined) {
    objects.push({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: metadata(configMapName),
      data: { [o.scenarioFile.fileName]: o.scenarioFile.text },
    });
  }
  const env: Record<string, unknown>[] = [
    // The Job controller sets JOB_COMPLETION_INDEX itself; declaring it from the pod's annotation
    // makes $(JOB_COMPLETION_INDEX) in args resolve the same way on every cluster version.
    {
      name: "JOB_COMPLETION_INDEX",
      valueFrom: {
        fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" },
      },
    },
  ];
  if (o.passwordSecret !== undefined) {
    env.push({
      name: "REDIS_PASSWORD",
      valueFrom: { secretKeyRef: { name: o.passwordSecret.name, key: o.passwordSecret.key } },
    });
  }
  const volumeMounts: Record<string, unknown>[] = [{ name: "results", mountPath: RESULTS_DIR }];
  const volumes: Record<string, unknown>[] = [{ name: "results", emptyDir: {} }];
  if (o.scenarioFile !== undefined) {
    volumeMounts.push({ name: "scenario", mountPath: SCENARIO_DIR, readOnly: true });
    volumes.push({ name: "scenario", configMap: { name: configMapName } });
  }
  const args = [
    "run",
    ...o.runArgs.map(escapeExpansion),
    "--shard",
    `$(JOB_COMPLETION_INDEX)/${o.shards}`,
    "--out",
    RESULTS_DIR,
    "--json",
  ];
  objects.push({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: metadata(o.name),
    spec: {
      completionMode: "Indexed",
      completions: o.shards,
      parallelism: o.shards,
      // A failed shard is not run again: a second attempt would add its load twice and leave two
      // results for one index. The other shards keep running (Kubernetes 1.29 and later).
      backoffLimitPerIndex: 0,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          containers: [
            {
              name: "cachestress",
              image: o.image,
              command: ["cachestress"],
              args,
              env,
              volumeMounts,
            },
          ],
          volumes,
        },
      },
    },
  });
  return objects;
}

/** Multi-document YAML, ready for `kubectl apply -f -`. */
export function renderK8sManifest(o: K8sJobOptions, comment: string[] = []): string {
  const docs = buildK8sObjects(o).map((obj) =>
    stringify(obj, { lineWidth: 0, aliasDuplicateObjects: false }),
  );
  const head = comment.map((line) => `# ${line}`.trimEnd()).join("\n");
  return `${head}${head ? "\n" : ""}${docs.join("---\n")}`;
}

/**
 * Kubernetes expands `$(NAME)` in args; the user's own arguments are passed literally, so `$(` in
 * them is written `$$(`, which Kubernetes turns back into `$(`.
 */
function escapeExpansion(arg: string): string {
  return arg.replaceAll("$(", "$$$$(");
}

import {
  END_EFFECTOR_ACTIONS,
  InvalidActionError,
  Rng,
  VIEW_NAMES,
  validateAction,
  type Action,
  type EndEffector,
  type Environment,
  type EnvironmentMetadata,
  type Instruction,
  type Observation,
  type ObjectState,
  type PromptAsset,
  type ResetOptions,
  type StepResult,
  type ViewName,
} from '@actllm/core';
import { TabletopError } from '../errors.js';
import { loadRapier, type Rapier } from '../physics/rapier.js';
import { PhysicsScene } from '../physics/scene.js';
import type { PhysicsOptions } from '../physics/spec.js';
import { checkPhysicsOptions } from '../physics/options.js';
import type { ViewSize } from '../render/camera.js';
import type { RenderItem } from '../render/renderer.js';
import { assertTaskInPartition, endEffectorOf, getTask, listTasks } from '../tasks/registry.js';
import { getPartition, listPartitions } from '../tasks/partitions.js';
import type {
  AssetSpec,
  BodyPose,
  PartitionSpec,
  TaskFamily,
  TaskSample,
  TaskState,
} from '../tasks/types.js';
import { applyPerturbation, type Perturbation } from '../dynamic/perturb.js';
import {
  assertIntensity,
  perturbationSchedule,
  type Intensity,
  type PerturbationKind,
} from '../dynamic/schedule.js';
import { deriveSeed } from '../seeds.js';
import { specItem, type StateInput } from './state.js';
import { quatYaw } from '../math/quat.js';
import { isMarking } from '../tasks/common.js';
import { makeCameras, snapshot, type Cameras, type Snapshot } from './views.js';

export interface TabletopEnvOptions {
  /** Image sizes per view (default top 64x64, front 128x64, width x height). */
  readonly views?: Partial<Record<ViewName, ViewSize>>;
  readonly physics?: PhysicsOptions;
}

export interface TabletopResetOptions extends ResetOptions {
  /** Default `train`. */
  readonly partition?: string;
  /** Dynamic mode: seeded perturbations between steps (default `none`). */
  readonly dynamic?: Intensity;
}

/** What the environment knows about the running episode beyond the observation. */
export interface EpisodeState {
  readonly task: string;
  readonly partition: string;
  readonly seed: number;
  readonly step: number;
  readonly maxSteps: number;
  readonly oracleSteps: number;
  readonly done: boolean;
  readonly success: boolean;
  /** The task's goal data (ids, target poses); JSON. */
  readonly goal: unknown;
  readonly dynamic: Intensity;
  /** Perturbations applied so far, in order. */
  readonly perturbations: readonly Perturbation[];
  /** The tool of this task: `suction` does `pick_place` only, `spatula` does `push` only. */
  readonly endEffector: EndEffector;
}

/** Why an episode ended early as a failure (`info.failure`). */
export type FailureKind = 'left_workspace' | 'rule_broken';

interface Episode {
  readonly family: TaskFamily;
  readonly sample: TaskSample<unknown>;
  readonly partition: PartitionSpec;
  readonly seed: number;
  readonly scene: PhysicsScene;
  readonly dynamic: Intensity;
  readonly schedule: readonly (PerturbationKind | null)[];
  readonly perturbRng: Rng;
  readonly perturbations: Perturbation[];
  readonly history: (readonly ObjectState[])[];
  readonly instruction: Instruction;
  readonly initial: readonly ObjectState[];
  readonly maxSteps: number;
  readonly endEffector: EndEffector;
  step: number;
  done: boolean;
  success: boolean;
  /** Set once a rule checked during a push was broken. */
  broken: boolean;
  last: Snapshot;
}

/**
 * The simulated tabletop: Rapier physics, a CPU renderer, tasks with scripted oracles.
 * `reset` builds a fresh physics world from the seed, so one seed always gives one episode.
 */
export class TabletopEnv implements Environment<TabletopResetOptions> {
  readonly metadata: EnvironmentMetadata;
  readonly #R: Rapier;
  readonly #cameras: Cameras;
  readonly #physics: PhysicsOptions;
  #episode: Episode | undefined;

  private constructor(R: Rapier, options: TabletopEnvOptions) {
    this.#R = R;
    this.#cameras = makeCameras(options.views);
    this.#physics = checkPhysicsOptions(options.physics);
    const tasks = listTasks();
    this.metadata = {
      tasks,
      partitions: listPartitions(),
      views: VIEW_NAMES,
      endEffectors: Object.fromEntries(tasks.map((t) => [t, endEffectorOf(t)])),
    };
  }

  /** Loads the physics engine (once per process) and returns an environment ready to reset. */
  static async create(options: TabletopEnvOptions = {}): Promise<TabletopEnv> {
    return new TabletopEnv(await loadRapier(), options);
  }

  reset(options: TabletopResetOptions): Observation {
    const family = getTask(options.task);
    const partitionName = options.partition ?? 'train';
    const partition = getPartition(partitionName);
    assertTaskInPartition(family.name, partitionName);
    if (!Number.isSafeInteger(options.seed)) {
      throw new TabletopError(
        'TABLETOP_INVALID_OPTION',
        `reset: seed must be a safe integer; got ${String(options.seed)}.`,
      );
    }
    const dynamic = assertIntensity(options.dynamic ?? 'none');
    const episodeSeed = deriveSeed(options.seed, family.name, partitionName);
    const sample = family.sample(new Rng(episodeSeed), partition);
    const maxSteps = sample.oracleSteps + 2;
    this.close();
    const scene = new PhysicsScene(this.#R, sample.scene, this.#physics);
    scene.settle();
    const last = this.#snapshot(scene);
    this.#episode = {
      family,
      sample,
      partition,
      seed: options.seed,
      scene,
      dynamic,
      schedule: perturbationSchedule(episodeSeed, dynamic, maxSteps),
      perturbRng: new Rng(deriveSeed(episodeSeed, 'perturb')),
      perturbations: [],
      history: [last.objects],
      instruction: this.#instruction(sample),
      initial: last.objects,
      maxSteps,
      endEffector: endEffectorOf(family.name),
      step: 0,
      done: false,
      success: false,
      broken: false,
      last,
    };
    return this.#observation(this.#episode);
  }

  step(action: Action): StepResult {
    const ep = this.#running();
    const checked = validateAction(action);
    if (!checked.ok) return this.#refuse(ep, checked.error);
    const a = checked.value;
    const wrong = this.#wrongTool(ep, a);
    if (wrong) return this.#refuse(ep, wrong);
    let picked: string | null = null;
    if (a.kind === 'pick_place') picked = ep.scene.pickPlace(a.from, a.to);
    else ep.scene.push(a.from, a.to, this.#watch(ep));
    ep.step += 1;
    ep.last = this.#snapshot(ep.scene);
    ep.history.push(ep.last.objects);
    const afterAction = ep.last.objects;
    const perturbation = this.#perturb(ep);
    const state = this.#taskState(ep);
    ep.success = ep.family.success(ep.sample.goal, state);
    const failure = ep.success ? null : this.#failure(ep, state);
    ep.done = ep.success || failure !== null || ep.step >= ep.maxSteps;
    const outcome = ep.success
      ? 'success'
      : failure
        ? 'failure'
        : ep.done
          ? 'step_limit'
          : 'running';
    return {
      observation: this.#observation(ep),
      done: ep.done,
      success: ep.success,
      info: {
        outcome,
        maxSteps: ep.maxSteps,
        ...(failure ? { failure } : {}),
        ...(a.kind === 'pick_place' ? { picked } : {}),
        ...(ep.dynamic === 'none' ? {} : { perturbation }),
        ...(perturbation ? { afterAction } : {}),
      },
    };
  }

  /** The refusal of a well-formed action that the mounted end effector cannot perform. */
  #wrongTool(ep: Episode, a: Action): InvalidActionError | null {
    const kind = END_EFFECTOR_ACTIONS[ep.endEffector];
    if (a.kind === kind) return null;
    return new InvalidActionError(
      'wrong_end_effector',
      'kind',
      `Task "${ep.family.name}" mounts the ${ep.endEffector}, which only does "${kind}"; got "${a.kind}".`,
    );
  }

  /**
   * A refused action changes nothing in the scene but uses up a step, so a loop that only
   * sends refused actions still ends at the step limit.
   */
  #refuse(ep: Episode, error: InvalidActionError): StepResult {
    ep.step += 1;
    ep.done = ep.step >= ep.maxSteps;
    return {
      observation: this.#observation(ep),
      done: ep.done,
      success: false,
      info: {
        outcome: ep.done ? 'step_limit' : 'running',
        maxSteps: ep.maxSteps,
        invalidAction: { code: error.code, message: error.message },
        invalidReason: error.reason,
      },
    };
  }

  /** The family's mid-push rule, run at every physics substep of a push (or nothing). */
  #watch(ep: Episode): (() => void) | undefined {
    const family = ep.family;
    if (!family.during) return undefined;
    return () => {
      if (!ep.broken)
        ep.broken = family.during?.(ep.sample.goal, this.#poses(ep.scene), ep.initial) ?? false;
    };
  }

  #poses(scene: PhysicsScene): BodyPose[] {
    return scene.objects.map((obj) => {
      const t = scene.transformOf(obj);
      const { x, y, z } = t.position;
      return { id: obj.spec.id, x, y, z, theta: quatYaw(t.rotation) };
    });
  }

  /** Why the episode can no longer succeed, or null while it still can. */
  #failure(ep: Episode, state: TaskState): FailureKind | null {
    const out = state.objects.some(
      (o) => !isMarking(o) && (o.pose.x < 0 || o.pose.x > 1 || o.pose.y < 0 || o.pose.y > 1),
    );
    if (out) return 'left_workspace';
    if (ep.broken || ep.family.failed?.(ep.sample.goal, state)) return 'rule_broken';
    return null;
  }

  /**
   * Applies the perturbation scheduled after this step, if any, before success is checked:
   * the success rule holds for the scene as it is after the disturbance.
   */
  #perturb(ep: Episode): Perturbation | null {
    const kind = ep.schedule[ep.step - 1];
    if (!kind) return null;
    const state = this.#taskState(ep);
    const done = applyPerturbation(kind, {
      scene: ep.scene,
      objects: ep.last.objects,
      goal: ep.sample.goal,
      partition: ep.partition,
      reserved: ep.family.reserved?.(ep.sample.goal, state) ?? [],
      keep: ep.family.kept?.(ep.sample.goal) ?? [],
      rng: ep.perturbRng,
    });
    if (!done) return null;
    ep.perturbations.push(done);
    ep.last = this.#snapshot(ep.scene);
    ep.history.push(ep.last.objects);
    return done;
  }

  #taskState(ep: Episode): TaskState {
    return { objects: ep.last.objects, initial: ep.initial, history: ep.history };
  }

  /** The scripted oracle's next action, planned from the current ground truth. */
  oracleAction(): Action {
    const ep = this.#current();
    return ep.family.oracle(ep.sample.goal, this.#taskState(ep));
  }

  /** Ground truth of the current scene. */
  get objects(): readonly ObjectState[] {
    return this.#current().last.objects;
  }

  /** Instance segmentation of the last render: 0 table/background, i + 1 for `objects[i]`. */
  segmentation(view: ViewName): Uint16Array {
    return this.#current().last.segmentation[view];
  }

  get episode(): EpisodeState {
    const ep = this.#current();
    return {
      task: ep.family.name,
      partition: ep.partition.name,
      seed: ep.seed,
      step: ep.step,
      maxSteps: ep.maxSteps,
      oracleSteps: ep.sample.oracleSteps,
      done: ep.done,
      success: ep.success,
      goal: ep.sample.goal,
      dynamic: ep.dynamic,
      perturbations: [...ep.perturbations],
      endEffector: ep.endEffector,
    };
  }

  /** Frees the physics world of the current episode (reset makes a new one). */
  close(): void {
    this.#episode?.scene.free();
    this.#episode = undefined;
  }

  #current(): Episode {
    if (!this.#episode) {
      throw new TabletopError(
        'TABLETOP_NOT_RESET',
        'No episode is running; call reset({ seed, task }) first.',
      );
    }
    return this.#episode;
  }

  #running(): Episode {
    const ep = this.#current();
    if (ep.done) {
      throw new TabletopError(
        'TABLETOP_EPISODE_DONE',
        'The episode is over (success or step limit); call reset() to start another.',
      );
    }
    return ep;
  }

  #snapshot(scene: PhysicsScene): Snapshot {
    const items: RenderItem[] = [];
    const inputs: StateInput[] = [];
    for (const obj of scene.objects) {
      const transform = scene.transformOf(obj);
      items.push({ mesh: obj.mesh, transform, color: obj.color });
      inputs.push({
        spec: obj.spec,
        transform,
        baseZ: scene.worldBounds(obj, transform).z0,
        size: obj.size,
      });
    }
    return snapshot(this.#cameras, items, inputs);
  }

  #instruction(sample: TaskSample<unknown>): Instruction {
    const specs = sample.instruction.assets;
    if (!specs) return { text: sample.instruction.text };
    const assets: Record<string, PromptAsset> = {};
    for (const [name, spec] of Object.entries(specs)) assets[name] = this.#asset(spec);
    return { text: sample.instruction.text, assets };
  }

  /** Renders a prompt picture from specs: objects upright where the spec puts them. */
  #asset(spec: AssetSpec): PromptAsset {
    const specs = spec.kind === 'object' ? [spec.object] : spec.objects;
    const drawn = specs.map(specItem);
    const shot = snapshot(
      this.#cameras,
      drawn.map((d) => d.item),
      drawn.map((d) => d.state),
    );
    return { kind: spec.kind, views: shot.views, objects: shot.objects };
  }

  #observation(ep: Episode): Observation {
    return {
      step: ep.step,
      views: ep.last.views,
      instruction: ep.instruction,
      objects: ep.last.objects,
      endEffector: ep.endEffector,
    };
  }
}

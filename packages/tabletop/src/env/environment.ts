import {
  Rng,
  VIEW_NAMES,
  validateAction,
  type Action,
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
import type { ViewSize } from '../render/camera.js';
import type { RenderItem } from '../render/renderer.js';
import { assertTaskInPartition, getTask, listTasks } from '../tasks/registry.js';
import { getPartition, listPartitions } from '../tasks/partitions.js';
import type {
  AssetSpec,
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
}

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
  step: number;
  done: boolean;
  success: boolean;
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
    this.#physics = options.physics ?? {};
    this.metadata = { tasks: listTasks(), partitions: listPartitions(), views: VIEW_NAMES };
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
      step: 0,
      done: false,
      success: false,
      last,
    };
    return this.#observation(this.#episode);
  }

  step(action: Action): StepResult {
    const ep = this.#running();
    const checked = validateAction(action);
    if (!checked.ok) {
      return {
        observation: this.#observation(ep),
        done: false,
        success: false,
        info: {
          outcome: 'running',
          maxSteps: ep.maxSteps,
          invalidAction: { code: checked.error.code, message: checked.error.message },
        },
      };
    }
    const a = checked.value;
    let picked: string | null = null;
    if (a.kind === 'pick_place') picked = ep.scene.pickPlace(a.from, a.to);
    else ep.scene.push(a.from, a.to);
    ep.step += 1;
    ep.last = this.#snapshot(ep.scene);
    ep.history.push(ep.last.objects);
    const afterAction = ep.last.objects;
    const perturbation = this.#perturb(ep);
    ep.success = ep.family.success(ep.sample.goal, this.#taskState(ep));
    ep.done = ep.success || ep.step >= ep.maxSteps;
    const outcome = ep.success ? 'success' : ep.done ? 'step_limit' : 'running';
    return {
      observation: this.#observation(ep),
      done: ep.done,
      success: ep.success,
      info: {
        outcome,
        maxSteps: ep.maxSteps,
        ...(a.kind === 'pick_place' ? { picked } : {}),
        ...(ep.dynamic === 'none' ? {} : { perturbation }),
        ...(perturbation ? { afterAction } : {}),
      },
    };
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
    };
  }
}

import { normalizeAngle, type Pose } from '@actllm/core';
import type { Collider, ColliderDesc, RigidBody, World } from '@dimforge/rapier3d-compat';
import {
  getShape,
  shapeExtents,
  withHeight,
  type ShapeDef,
  type ShapePart,
} from '../objects/shapes.js';
import { buildMesh, partHullPoints, type Mesh } from '../objects/mesh.js';
import { getColor, type ColorDef } from '../objects/colors.js';
import {
  applyTransform,
  quatMul,
  quatYaw,
  yawQuat,
  type Quat,
  type Transform,
} from '../math/quat.js';
import type { Rapier } from './rapier.js';
import { GRAVITY, type PhysicsOptions, type SpawnSpec } from './spec.js';
import { checkPhysicsOptions } from './options.js';
import { checkSpawn, physicsPose } from './poses.js';

/** An object in the simulation, with what the renderer and the state reader need. */
export interface SimObject {
  readonly spec: SpawnSpec;
  readonly def: ShapeDef;
  readonly color: ColorDef;
  readonly mesh: Mesh;
  readonly size: { readonly x: number; readonly y: number; readonly z: number };
  readonly body: RigidBody;
}

const FRICTION = 0.6;
const REST_LINEAR = 0.01; // units/s under which a body counts as resting
const REST_ANGULAR = 0.1; // rad/s
const SPAWN_LIFT = 0.0005; // start just above the table, so nothing begins in contact
const DROP_CLEARANCE = 0.004; // a carried object is released this far above what lies below
/** Half sizes of the spatula plate: thickness along the motion, width across it, height. */
export const SPATULA = { hx: 0.006, hy: 0.05, hz: 0.02 } as const;
const PARK = { x: 5, y: 5, z: 2 } as const; // where the spatula waits, far from the table
const PUSH_WAKE_RADIUS = 0.2; // objects this close to a push's path are woken before it

/** A Rapier world holding the table, the objects and the spatula. Free it with `free()`. */
export class PhysicsScene {
  readonly #objects: SimObject[];
  readonly #world: World;
  readonly #R: Rapier;
  readonly #byCollider = new Map<number, SimObject>();
  readonly #spatula: RigidBody;
  readonly #maxSettle: number;
  readonly #pushSpeed: number;

  constructor(R: Rapier, specs: readonly SpawnSpec[], options: PhysicsOptions = {}) {
    checkPhysicsOptions(options);
    this.#R = R;
    this.#maxSettle = options.maxSettleSteps ?? 150;
    this.#pushSpeed = options.pushSpeed ?? 0.5;
    const world = new R.World({ x: 0, y: 0, z: -GRAVITY });
    world.timestep = options.timestep ?? 1 / 60;
    world.integrationParameters.numSolverIterations = options.solverIterations ?? 4;
    this.#world = world;
    const table = world.createRigidBody(R.RigidBodyDesc.fixed().setTranslation(0.5, 0.5, -0.05));
    world.createCollider(R.ColliderDesc.cuboid(1, 1, 0.05).setFriction(FRICTION), table);
    this.#objects = specs.map((spec) => this.#spawn(spec));
    this.#spatula = world.createRigidBody(
      R.RigidBodyDesc.kinematicPositionBased().setTranslation(PARK.x, PARK.y, PARK.z),
    );
    world.createCollider(
      R.ColliderDesc.cuboid(SPATULA.hx, SPATULA.hy, SPATULA.hz).setFriction(0.3),
      this.#spatula,
    );
  }

  /** The objects in spawn order (a perturbation may add one at the end). */
  get objects(): readonly SimObject[] {
    return this.#objects;
  }

  /** Adds an object at rest on the table and lets the scene settle (a dynamic distractor). */
  add(spec: SpawnSpec): SimObject {
    this.#wakeAll();
    const obj = this.#spawn(spec);
    this.#objects.push(obj);
    this.settle();
    return obj;
  }

  /** Puts an object upright at a pose on the table, at rest, and lets the scene settle. */
  teleport(id: string, target: Pose): void {
    const pose = physicsPose(target, 'teleport pose');
    const obj = this.#byId(id);
    obj.body.setRotation(yawQuat(pose.theta), true);
    this.#restOnTable(obj, pose.x, pose.y);
  }

  /** Slides objects together by (dx, dy), keeping their height: a container with its contents. */
  translate(ids: readonly string[], dx: number, dy: number): void {
    this.#wakeAll();
    for (const id of ids) {
      const body = this.#byId(id).body;
      const t = body.translation();
      body.setTranslation({ x: t.x + dx, y: t.y + dy, z: t.z + SPAWN_LIFT }, true);
      body.setLinvel({ x: 0, y: 0, z: 0 }, true);
      body.setAngvel({ x: 0, y: 0, z: 0 }, true);
    }
    this.settle();
  }

  /** Knocks an object over: a quarter turn about its own x axis, on the table where it stood. */
  tip(id: string): void {
    const obj = this.#byId(id);
    const t = this.transformOf(obj);
    obj.body.setRotation(
      quatMul(t.rotation, { x: Math.SQRT1_2, y: 0, z: 0, w: Math.SQRT1_2 }),
      true,
    );
    this.#restOnTable(obj, t.position.x, t.position.y);
  }

  #restOnTable(obj: SimObject, x: number, y: number): void {
    this.#wakeAll();
    obj.body.setTranslation({ x, y, z: 1 }, true);
    const lowest = this.worldBounds(obj).z0;
    obj.body.setTranslation({ x, y, z: 1 - lowest + SPAWN_LIFT }, true);
    obj.body.setLinvel({ x: 0, y: 0, z: 0 }, true);
    obj.body.setAngvel({ x: 0, y: 0, z: 0 }, true);
    this.settle();
  }

  #byId(id: string): SimObject {
    const obj = this.#objects.find((o) => o.spec.id === id);
    if (!obj) throw new Error(`unreachable: no object ${id} in the scene`);
    return obj;
  }

  #spawn(spec: SpawnSpec): SimObject {
    const R = this.#R;
    const def = withHeight(getShape(spec.shape), spec.height ?? 1);
    const color = getColor(spec.color);
    const pose = checkSpawn(spec);
    const q = yawQuat(pose.theta);
    // A marking is paint: a fixed body without colliders, so nothing can move it or rest on it.
    const desc = def.marking ? R.RigidBodyDesc.fixed() : R.RigidBodyDesc.dynamic();
    const body = this.#world.createRigidBody(
      desc.setTranslation(pose.x, pose.y, (spec.z ?? 0) + SPAWN_LIFT).setRotation(q),
    );
    const obj: SimObject = {
      spec,
      def,
      color,
      mesh: buildMesh(def, spec.scale),
      size: shapeExtents(def, spec.scale),
      body,
    };
    // Containers are denser so that objects dropped or pushed into them do not shove them.
    const density = def.container ? 3 : 1;
    for (const part of def.marking ? [] : def.parts) {
      const desc = this.#partCollider(part, spec.scale);
      if (!desc) continue;
      const collider = this.#world.createCollider(
        desc.setFriction(FRICTION).setRestitution(0).setDensity(density),
        body,
      );
      this.#byCollider.set(collider.handle, obj);
    }
    return obj;
  }

  #partCollider(part: ShapePart, scale: number): ColliderDesc | null {
    const d = part.disc;
    if (!d) return this.#R.ColliderDesc.convexHull(partHullPoints(part, scale));
    const half = ((part.z1 - part.z0) * scale) / 2;
    // Rapier's cylinders stand along y: turn them a quarter about x to stand along z.
    return this.#R.ColliderDesc.cylinder(half, d.r * scale)
      .setTranslation(d.cx * scale, d.cy * scale, part.z0 * scale + half)
      .setRotation({ x: Math.SQRT1_2, y: 0, z: 0, w: Math.SQRT1_2 });
  }

  transformOf(obj: SimObject): Transform {
    const t = obj.body.translation();
    const r = obj.body.rotation();
    return { position: { x: t.x, y: t.y, z: t.z }, rotation: { x: r.x, y: r.y, z: r.z, w: r.w } };
  }

  /** The object's world AABB from its mesh. */
  worldBounds(
    obj: SimObject,
    transform = this.transformOf(obj),
  ): { x0: number; y0: number; z0: number; x1: number; y1: number; z1: number } {
    const v = obj.mesh.vertices;
    const b = {
      x0: Infinity,
      y0: Infinity,
      z0: Infinity,
      x1: -Infinity,
      y1: -Infinity,
      z1: -Infinity,
    };
    for (let i = 0; i < v.length; i += 3) {
      const p = applyTransform(transform, { x: v[i] ?? 0, y: v[i + 1] ?? 0, z: v[i + 2] ?? 0 });
      b.x0 = Math.min(b.x0, p.x);
      b.y0 = Math.min(b.y0, p.y);
      b.z0 = Math.min(b.z0, p.z);
      b.x1 = Math.max(b.x1, p.x);
      b.y1 = Math.max(b.y1, p.y);
      b.z1 = Math.max(b.z1, p.z);
    }
    return b;
  }

  /** Steps until every object rests (a few steps in a row) or the step cap; returns the steps taken. */
  settle(maxSteps = this.#maxSettle): number {
    let calm = 0;
    for (let step = 1; step <= maxSteps; step++) {
      this.#world.step();
      calm = this.#resting() ? calm + 1 : 0;
      if (calm >= 3) {
        this.#sleepAll();
        return step;
      }
    }
    return maxSteps;
  }

  /**
   * Puts resting objects to sleep: they stay exactly where they are until something touches
   * them (Rapier wakes a body on contact), so an action that touches nothing changes nothing.
   */
  #sleepAll(): void {
    for (const { body } of this.objects) body.sleep();
  }

  /**
   * Wakes every object before an action changes the scene. Rapier does not reliably wake a
   * body that was put to sleep by hand when its support moves: measured with 0.21.0, a block
   * resting in a container fell through the table or was flung away when a second object
   * was dropped into the same container.
   */
  #wakeAll(): void {
    for (const { body } of this.objects) body.wakeUp();
  }

  /**
   * Wakes the objects within `radius` of the segment a push sweeps (a sleeping body is not
   * reliably woken by the kinematic spatula); the rest sleep on, so a push through empty space
   * still moves nothing.
   */
  #wakeNear(from: Pose, to: Pose, radius: number): void {
    const dx = to.x - from.x;
    const dy = to.y - from.y;
    const len2 = dx * dx + dy * dy;
    for (const { body } of this.objects) {
      const p = body.translation();
      const t = Math.max(0, Math.min(1, ((p.x - from.x) * dx + (p.y - from.y) * dy) / len2));
      if (Math.hypot(from.x + t * dx - p.x, from.y + t * dy - p.y) < radius) body.wakeUp();
    }
  }

  #resting(): boolean {
    for (const { body } of this.objects) {
      if (body.translation().z < -0.5) continue; // fell off the table: it will never rest
      const v = body.linvel();
      const w = body.angvel();
      if (Math.hypot(v.x, v.y, v.z) > REST_LINEAR || Math.hypot(w.x, w.y, w.z) > REST_ANGULAR)
        return false;
    }
    return true;
  }

  /**
   * The topmost object under the suction cup: of the rays straight down through the point
   * and through the cup's rim, the one that hits highest (so a ring is found by its rim).
   */
  objectAt(x: number, y: number): SimObject | undefined {
    let best: { obj: SimObject; z: number } | undefined;
    const cup = 0.02;
    for (let k = -1; k < 8; k++) {
      const a = (k * Math.PI) / 4;
      const r = k < 0 ? 0 : cup;
      const hit = this.#castDown(x + r * Math.cos(a), y + r * Math.sin(a));
      if (hit && (!best || hit.z > best.z + 1e-9)) best = hit;
    }
    return best?.obj;
  }

  #castDown(x: number, y: number, exclude?: RigidBody): { obj: SimObject; z: number } | undefined {
    const R = this.#R;
    const top = 2;
    const hit = this.#world.castRay(
      new R.Ray({ x, y, z: top }, { x: 0, y: 0, z: -1 }),
      top + 1,
      true,
      undefined,
      undefined,
      undefined,
      exclude,
      (c: Collider) => this.#byCollider.has(c.handle),
    );
    if (!hit) return undefined;
    const obj = this.#byCollider.get(hit.collider.handle);
    return obj ? { obj, z: top - hit.timeOfImpact } : undefined;
  }

  /**
   * Suction pick-and-place, kinematic: the topmost object under `from` is lifted, set upright, turned by
   * `to.theta - from.theta` about the suction point, carried so that the suction point lands
   * on `to`, released just above whatever lies below, and left to settle.
   * Returns the id of the object moved, or null when the cup found nothing.
   */
  pickPlace(pickAt: Pose, placeAt: Pose): string | null {
    const from = physicsPose(pickAt, 'pick pose');
    const to = physicsPose(placeAt, 'place pose');
    const obj = this.objectAt(from.x, from.y);
    if (!obj) return null;
    this.#wakeAll();
    const dTheta = normalizeAngle(to.theta - from.theta);
    const t = this.transformOf(obj);
    const c = Math.cos(dTheta);
    const s = Math.sin(dTheta);
    const ox = t.position.x - from.x;
    const oy = t.position.y - from.y;
    // Placed upright: the cup sets an object down on its base, so a knocked-over object
    // comes back standing (its yaw about z is kept and turned by dTheta).
    const rotation: Quat = yawQuat(quatYaw(t.rotation) + dTheta);
    const placed: Transform = {
      position: { x: to.x + c * ox - s * oy, y: to.y + s * ox + c * oy, z: t.position.z },
      rotation,
    };
    const b = this.worldBounds(obj, placed);
    const floor = this.#highestUnder(obj, placed);
    const z = t.position.z + (floor + DROP_CLEARANCE - b.z0);
    obj.body.setTranslation({ x: placed.position.x, y: placed.position.y, z }, true);
    obj.body.setRotation(rotation, true);
    obj.body.setLinvel({ x: 0, y: 0, z: 0 }, true);
    obj.body.setAngvel({ x: 0, y: 0, z: 0 }, true);
    this.settle();
    return obj.spec.id;
  }

  /**
   * Height of the highest surface under the placed object: rays straight down through its
   * centre and every vertex of its footprint, ignoring the object itself (0: the table).
   * Releasing just above that surface keeps the fall short, so nothing tunnels through a
   * thin container floor.
   */
  #highestUnder(carried: SimObject, placed: Transform): number {
    let top = 0;
    const v = carried.mesh.vertices;
    const probe = (x: number, y: number): void => {
      const hit = this.#castDown(x, y, carried.body);
      if (hit) top = Math.max(top, hit.z);
    };
    probe(placed.position.x, placed.position.y);
    for (let i = 0; i < v.length; i += 3) {
      const p = applyTransform(placed, { x: v[i] ?? 0, y: v[i + 1] ?? 0, z: 0 });
      probe(p.x, p.y);
    }
    return top;
  }

  /**
   * Spatula push: a thin kinematic plate, square to the direction of motion, sweeps the
   * segment from `from` to `to` at a fixed speed just above the table, then leaves.
   * `onSubstep` runs after every physics step of the sweep (rules checked mid-push).
   */
  push(start: Pose, end: Pose, onSubstep?: () => void): void {
    const from = physicsPose(start, 'push start');
    const to = physicsPose(end, 'push end');
    const dx = to.x - from.x;
    const dy = to.y - from.y;
    const length = Math.hypot(dx, dy);
    if (length < 1e-6) return;
    this.#wakeNear(from, to, PUSH_WAKE_RADIUS);
    const yaw = Math.atan2(dy, dx);
    const steps = Math.max(1, Math.ceil(length / (this.#pushSpeed * this.#world.timestep)));
    const z = SPATULA.hz + 0.001;
    this.#spatula.setTranslation({ x: from.x, y: from.y, z }, true);
    this.#spatula.setRotation(yawQuat(yaw), true);
    for (let i = 1; i <= steps; i++) {
      const f = i / steps;
      this.#spatula.setNextKinematicTranslation({ x: from.x + dx * f, y: from.y + dy * f, z });
      this.#world.step();
      onSubstep?.();
    }
    this.#spatula.setTranslation(PARK, true);
    this.settle();
  }

  /** Yaw of an object in (-pi, pi]. */
  yawOf(obj: SimObject): number {
    return quatYaw(obj.body.rotation());
  }

  free(): void {
    this.#world.free();
  }
}

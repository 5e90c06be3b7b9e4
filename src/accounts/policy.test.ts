import assert from "node:assert/strict";
import { test } from "node:test";
import { type Actor, ROLES, type Role } from "./model.ts";
import { ACTION_RULES, type Action, can, inviteRoles, type Scope } from "./policy.ts";

/** A small real table of the referential: Guéret (23096) is in Creuse (23), Brive-la-Gaillarde (19031) in Corrèze (19). */
const PARENT: Record<string, string> = { "23096": "23", "19031": "19" };
const within = (inner: string, outer: string): boolean => {
  for (let t: string | undefined = inner; t; t = PARENT[t]) if (t === outer) return true;
  return false;
};

/** Organisations of the fixtures (real ones, SIRETs in siret.test.ts), and their territories. */
const CD23 = { id: 1, name: "Conseil départemental de la Creuse", territoryId: "23", placeIds: [] };
const QUINCAILLERIE = { id: 2, name: "La Quincaillerie", territoryId: "23096", placeIds: [] };
const AGGLO_BRIVE = {
  id: 3,
  name: "Communauté d'agglomération du Bassin de Brive",
  territoryId: "19031",
  placeIds: [],
};

/** An actor of each role: the coordinator covers Creuse; the others work at La Quincaillerie, in Guéret. */
function actor(role: Role): Actor {
  const organisation = role === "coordinateur" || role === "admin" ? CD23 : QUINCAILLERIE;
  return {
    person: { id: 10 + ROLES.indexOf(role), email: `${role}@example.org`, name: `Personne ${role}` },
    membership: {
      id: 100 + ROLES.indexOf(role),
      personId: 10 + ROLES.indexOf(role),
      organisationId: organisation.id,
      role,
      territoryId: organisation.territoryId,
    },
    organisation,
    via: "session",
  };
}

/** Targets: the actor's own organisation (in Guéret), another organisation in Creuse, and one in Corrèze. */
const TARGETS = {
  ownOrganisation: { organisationId: QUINCAILLERIE.id, territoryId: QUINCAILLERIE.territoryId },
  otherInCreuse: { organisationId: CD23.id, territoryId: "23" },
  communeInCreuse: { territoryId: "23096" },
  correze: { organisationId: AGGLO_BRIVE.id, territoryId: AGGLO_BRIVE.territoryId },
  correzeDepartement: { territoryId: "19" },
} satisfies Record<string, Scope>;
type Target = keyof typeof TARGETS;
const ALL: Target[] = Object.keys(TARGETS) as Target[];
const CREUSE: Target[] = ["ownOrganisation", "otherInCreuse", "communeInCreuse"];
const OWN: Target[] = ["ownOrganisation"];

/**
 * The expected table, written by hand (not read from ACTION_RULES): for each action, the targets each role may
 * reach. The admin may always do everything; the coordinator of Creuse reaches Creuse and nothing of Corrèze.
 */
const EXPECTED: Record<Action, Partial<Record<Role, Target[]>>> = {
  "compte.lire": { coordinateur: ALL, prescripteur: ALL, mediateur: ALL, aidant: ALL, financeur: ALL },
  "organisation.lire": {
    coordinateur: CREUSE,
    prescripteur: OWN,
    mediateur: OWN,
    aidant: OWN,
    financeur: OWN,
  },
  "organisation.creer": { coordinateur: CREUSE },
  "organisation.modifier": { coordinateur: CREUSE },
  "personne.lire": { coordinateur: CREUSE },
  "personne.inviter": { coordinateur: CREUSE },
  "personne.role": { coordinateur: CREUSE },
  "personne.desactiver": { coordinateur: CREUSE },
  "journal.lire": { coordinateur: CREUSE },
  "journal.exporter": { coordinateur: CREUSE },
  "instance.administrer": {},
  "lieu.modifier": { coordinateur: CREUSE, mediateur: OWN },
  "lieu.importer": { coordinateur: CREUSE },
  "signalement.traiter": { coordinateur: CREUSE },
  "doublon.decider": { coordinateur: CREUSE },
  "pass.commander": { financeur: OWN },
  "pass.attribuer": { coordinateur: CREUSE, financeur: OWN },
  "pass.consulter": { coordinateur: CREUSE, financeur: OWN },
  "pass.payer": { financeur: OWN },
  "pass.remettre": { prescripteur: OWN },
  "pass.encaisser": { mediateur: OWN },
  "aidant.habiliter": { coordinateur: CREUSE },
  "mandat.consulter": { aidant: OWN },
  "mandat.creer": { aidant: OWN },
  "mandat.utiliser": { aidant: OWN },
  "mandat.revoquer": { aidant: OWN },
  "activite.saisir": { mediateur: OWN, aidant: OWN },
  "activite.statistiques": { coordinateur: CREUSE, mediateur: OWN, aidant: OWN },
  "orientation.remettre": { prescripteur: OWN, mediateur: OWN, aidant: OWN },
  "beneficiaire.suivre": { mediateur: OWN, aidant: OWN },
  "indicateur.operationnel": { coordinateur: CREUSE, financeur: ["ownOrganisation", "communeInCreuse"] },
  "objectif.fixer": { coordinateur: CREUSE },
};

test("the real table of the test: Guéret is in Creuse, Brive in Corrèze, Creuse is not in Corrèze", () => {
  assert.ok(within("23096", "23") && within("23", "23") && within("19031", "19"));
  assert.ok(!within("23096", "19") && !within("19", "23") && !within("23", "23096"));
});

test("every role × every action × inside and outside its territory and organisation", () => {
  assert.deepEqual(Object.keys(EXPECTED).sort(), Object.keys(ACTION_RULES).sort(), "every action has a line");
  for (const action of Object.keys(EXPECTED) as Action[])
    for (const role of ROLES)
      for (const target of ALL) {
        const expected = role === "admin" || (EXPECTED[action][role] ?? []).includes(target);
        const decision = can(actor(role), action, TARGETS[target], within);
        assert.equal(decision.allowed, expected, `${role} ${action} ${target}`);
        if (!decision.allowed) {
          assert.equal(decision.status, 403, `${role} ${action} ${target}`);
          assert.match(decision.reason, /^[A-Z].*\.$/s, decision.reason);
        }
      }
});

test("anonymous visitors get 401 for every action", () => {
  for (const action of Object.keys(ACTION_RULES) as Action[])
    for (const target of ALL)
      assert.deepEqual(can(null, action, TARGETS[target], within), {
        allowed: false,
        status: 401,
        reason: "Connectez-vous pour accéder à cette page.",
      });
});

test("a coordinator of Creuse cannot see Corrèze, and a mediator sees only their organisation: the reasons say why", () => {
  const coordinator = actor("coordinateur");
  assert.deepEqual(can(coordinator, "organisation.lire", TARGETS.correze, within), {
    allowed: false,
    status: 403,
    reason: "Cet élément est hors de votre territoire : vous ne pouvez pas consulter une organisation ici.",
  });
  assert.deepEqual(can(coordinator, "journal.lire", { territoryId: "19" }, within), {
    allowed: false,
    status: 403,
    reason: "Cet élément est hors de votre territoire : vous ne pouvez pas consulter le journal ici.",
  });
  assert.deepEqual(can(actor("mediateur"), "organisation.lire", TARGETS.otherInCreuse, within), {
    allowed: false,
    status: 403,
    reason:
      "Cet élément n'est pas de votre organisation : vous ne pouvez pas consulter une organisation ici.",
  });
  assert.deepEqual(can(actor("mediateur"), "personne.inviter", TARGETS.ownOrganisation, within), {
    allowed: false,
    status: 403,
    reason: "Votre rôle (Médiateur numérique) ne permet pas d'inviter une personne.",
  });
  assert.deepEqual(can(coordinator, "instance.administrer", {}, within), {
    allowed: false,
    status: 403,
    reason: "Votre rôle (Coordinateur du territoire) ne permet pas d'administrer l'instance.",
  });
});

test("a target whose territory or organisation is not given is refused to a territorial or organisation reach", () => {
  assert.equal(can(actor("coordinateur"), "organisation.lire", { organisationId: 1 }, within).allowed, false);
  assert.match(
    (can(actor("coordinateur"), "organisation.lire", {}, within) as { reason: string }).reason,
    /^Le territoire de cet élément n'est pas connu/,
  );
  assert.equal(can(actor("mediateur"), "organisation.lire", { territoryId: "23096" }, within).allowed, false);
  assert.equal(can(actor("admin"), "organisation.lire", {}, within).allowed, true);
  assert.equal(can(actor("financeur"), "compte.lire", {}, within).allowed, true);
});

test("a coordinator whose membership covers only Guéret cannot reach the rest of Creuse", () => {
  const gueret = actor("coordinateur");
  gueret.membership = { ...gueret.membership, territoryId: "23096" };
  assert.equal(can(gueret, "personne.lire", { territoryId: "23096" }, within).allowed, true);
  assert.equal(can(gueret, "personne.lire", { territoryId: "23" }, within).allowed, false);
});

test("who may give which role: all for the admin, all but admin for a coordinator, none for the others", () => {
  assert.deepEqual(inviteRoles(actor("admin")), [...ROLES]);
  assert.deepEqual(inviteRoles(actor("coordinateur")), [
    "coordinateur",
    "prescripteur",
    "mediateur",
    "aidant",
    "financeur",
  ]);
  for (const role of ["prescripteur", "mediateur", "aidant", "financeur"] as const)
    assert.deepEqual(inviteRoles(actor(role)), []);
  assert.deepEqual(inviteRoles(null), []);
});

test("the table says in French who may do each action", () => {
  assert.equal(
    ACTION_RULES["organisation.lire"].who,
    "Administrateur de l'instance (partout), Coordinateur du territoire (dans son territoire), Prescripteur (pour son organisation), Médiateur numérique (pour son organisation), Aidant habilité (pour son organisation), Financeur (pour son organisation)",
  );
  assert.equal(ACTION_RULES["instance.administrer"].who, "Administrateur de l'instance (partout)");
  assert.equal(ACTION_RULES["pass.encaisser"].label, "encaisser un pass numérique");
  for (const { label, who } of Object.values(ACTION_RULES)) {
    assert.match(label, /^[a-zé]/);
    assert.ok(who.startsWith("Administrateur de l'instance (partout)"));
  }
});

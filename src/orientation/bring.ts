/** What to bring to a place, in plain words, from the needs (the sheet's « À apporter »). */
import type { NeedId } from "./model.ts";

const ALWAYS = [
  "Une pièce d'identité (carte d'identité, passeport ou titre de séjour).",
  "Votre téléphone portable, chargé, et votre ordinateur ou tablette si vous en avez un.",
  "Vos codes : adresse e-mail et mots de passe, si vous en avez (écrits sur un papier gardé en lieu sûr).",
];

const BY_NEED: Partial<Record<NeedId, string[]>> = {
  demarches: [
    "Les courriers liés à votre démarche (CAF, impôts, retraite, Assurance maladie…) et vos numéros (allocataire, fiscal, sécurité sociale).",
    "Un relevé d'identité bancaire (RIB) si la démarche concerne un paiement ou une aide.",
  ],
  emploi: ["Votre CV si vous en avez un, et votre identifiant France Travail."],
  materiel: [
    "Un justificatif de ressources (avis d'imposition, attestation CAF) : les prix solidaires en demandent souvent un.",
  ],
  enfants: ["Les identifiants de l'espace numérique de l'école ou du collège (ENT), si vous les avez."],
};

export function whatToBring(besoins: readonly NeedId[]): string[] {
  return [...ALWAYS, ...besoins.flatMap((b) => BY_NEED[b] ?? [])];
}

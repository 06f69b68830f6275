// Package remit turns response files into claim facts: the 835 remittance (payments,
// adjustments, balancing), the 277CA claim acknowledgment and the 277 claim status
// response (X212), the 276 status inquiry, and the denial categories, actions, deadlines
// and appeal letters that follow from them.
//
// The mappers read a parsed x12.Transaction segment by segment in input order rather than
// by loop ID, so they work the same on a guide-built tree, a flat tree (no guide known)
// and a tree whose loops a partner's file got wrong: a remittance with a guide error is
// still money that arrived and must be posted or queued, never dropped.
package remit

/** Price models; each evaluation carries its own breakdown. */
package dev.tally.model.pricing;

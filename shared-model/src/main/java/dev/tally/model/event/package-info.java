/** Usage events and their validation. */
package dev.tally.model.event;

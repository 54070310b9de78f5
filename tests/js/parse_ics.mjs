// Parse iCalendar text from stdin with ical.js and print JSON: the calendar's properties and
// every VEVENT with its times in UTC. Exits non-zero (with the error) if ical.js refuses it.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const text = Buffer.concat(chunks).toString("utf8");

const calendar = new ICAL.Component(ICAL.parse(text));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}
const value = (component, name) => {
  const found = component.getFirstPropertyValue(name);
  return found === null || found === undefined ? null : found.toString();
};
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  const start = event.startDate;
  const end = event.endDate;
  return {
    uid: event.uid,
    summary: event.summary,
    location: event.location,
    description: event.description,
    status: value(component, "status"),
    sequence: event.sequence,
    dtstamp: value(component, "dtstamp"),
    last_modified: value(component, "last-modified"),
    all_day: start.isDate,
    tzid: start.isDate ? null : start.zone.tzid,
    start_utc: start.isDate ? start.toString() : start.toUnixTime(),
    end_utc: end.isDate ? end.toString() : end.toUnixTime(),
  };
});
const refresh = calendar.getFirstProperty("refresh-interval");
console.log(
  JSON.stringify({
    version: value(calendar, "version"),
    prodid: value(calendar, "prodid"),
    method: value(calendar, "method"),
    name: value(calendar, "name"),
    x_wr_calname: value(calendar, "x-wr-calname"),
    refresh_interval: refresh ? refresh.getFirstValue().toString() : null,
    refresh_value_type: refresh ? refresh.type : null,
    published_ttl: value(calendar, "x-published-ttl"),
    timezones: calendar.getAllSubcomponents("vtimezone").map((zone) => value(zone, "tzid")),
    events,
  }),
);

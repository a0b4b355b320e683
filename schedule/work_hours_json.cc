// The JSON form of a work-hour schedule; the README section "Work-hour
// schedule format" documents it.
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "json/json.h"
#include "schedule/duration.h"
#include "schedule/rrule.h"
#include "schedule/work_hours.h"
#include "schedule/zone.h"

namespace portcullis::schedule {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;

// Prefixes a parser's message with the field path.
absl::Status AtPath(const json::Path& path, const absl::Status& status) {
  return absl::Status(status.code(),
                      absl::StrCat(path.ToString(), ": ", status.message()));
}

// Rejects members of `object` other than `allowed`, so that a misspelt field
// fails instead of being ignored.
absl::Status CheckFields(const Struct& object, const json::Path& path,
                         std::initializer_list<absl::string_view> allowed) {
  for (const auto& [name, value] : object.fields()) {
    bool known = false;
    for (absl::string_view candidate : allowed) {
      if (absl::EqualsIgnoreCase(name, candidate)) known = true;
    }
    if (!known) {
      return absl::InvalidArgumentError(absl::StrCat(
          path.Field(name).ToString(), ": unknown field; expected one of ",
          absl::StrJoin(allowed, ", ")));
    }
  }
  return absl::OkStatus();
}

// Returns the string member `name`, or MissingField.
absl::StatusOr<std::string> RequiredString(const Struct& object,
                                           const json::Path& path,
                                           absl::string_view name,
                                           absl::string_view expected) {
  const Value* value = json::FindField(object, name);
  if (json::IsNullOrAbsent(value)) {
    return json::MissingField(path.Field(name), expected);
  }
  return json::GetString(*value, path.Field(name));
}

absl::StatusOr<int> TimeOfDayField(const Struct& object,
                                   const json::Path& path,
                                   absl::string_view name,
                                   bool allow_end_of_day) {
  absl::StatusOr<std::string> text =
      RequiredString(object, path, name, "a time of day hh:mm");
  if (!text.ok()) return text.status();
  absl::StatusOr<int> seconds = ParseTimeOfDay(*text, allow_end_of_day);
  if (!seconds.ok()) return AtPath(path.Field(name), seconds.status());
  return *seconds;
}

// {"start": "hh:mm", "end": "hh:mm"} plus the fields in `extra`.
absl::StatusOr<DailyWindow> ParseDailyWindow(
    const Struct& object, const json::Path& path,
    std::initializer_list<absl::string_view> allowed) {
  absl::Status fields = CheckFields(object, path, allowed);
  if (!fields.ok()) return fields;
  absl::StatusOr<int> start = TimeOfDayField(object, path, "start", false);
  if (!start.ok()) return start.status();
  absl::StatusOr<int> end = TimeOfDayField(object, path, "end", true);
  if (!end.ok()) return end.status();
  return DailyWindow{*start, *end};
}

absl::Status ParseWeeklyEntry(const Value& value, const json::Path& path,
                              WorkHoursSpec* spec) {
  absl::StatusOr<const Struct*> object = json::GetObject(value, path);
  if (!object.ok()) return object.status();
  absl::StatusOr<DailyWindow> window =
      ParseDailyWindow(**object, path, {"days", "start", "end", "name"});
  if (!window.ok()) return window.status();

  const json::Path days_path = path.Field("days");
  const Value* days = json::FindField(**object, "days");
  if (json::IsNullOrAbsent(days)) {
    return json::MissingField(days_path, "a list of weekdays such as [\"MO\"]");
  }
  absl::StatusOr<const ListValue*> list = json::GetArray(*days, days_path);
  if (!list.ok()) return list.status();
  if ((*list)->values_size() == 0) {
    return json::InvalidField(days_path, *days,
                              "at least one weekday such as \"MO\"");
  }
  for (int i = 0; i < (*list)->values_size(); ++i) {
    const json::Path item_path = days_path.Index(i);
    absl::StatusOr<std::string> name =
        json::GetString((*list)->values(i), item_path);
    if (!name.ok()) return name.status();
    std::optional<absl::Weekday> day = ParseWeekday(*name);
    if (!day) {
      return json::InvalidField(item_path, (*list)->values(i),
                                "a weekday MO, TU, WE, TH, FR, SA or SU, or "
                                "its English name");
    }
    spec->weekly[static_cast<int>(*day)].push_back(*window);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<bool>> OptionalBool(const Struct& object,
                                                 const json::Path& path,
                                                 absl::string_view name) {
  const Value* value = json::FindField(object, name);
  if (json::IsNullOrAbsent(value)) return std::optional<bool>();
  absl::StatusOr<bool> flag = json::GetBool(*value, path.Field(name));
  if (!flag.ok()) return flag.status();
  return std::optional<bool>(*flag);
}

absl::Status ParseDateException(const Struct& object, const json::Path& path,
                                WorkHoursSpec* spec) {
  absl::Status fields =
      CheckFields(object, path, {"date", "closed", "windows", "name"});
  if (!fields.ok()) return fields;

  absl::StatusOr<std::string> text =
      RequiredString(object, path, "date", "a local date YYYY-MM-DD");
  if (!text.ok()) return text.status();
  absl::StatusOr<absl::CivilDay> date = ParseLocalDate(*text);
  if (!date.ok()) return AtPath(path.Field("date"), date.status());

  absl::StatusOr<std::optional<bool>> closed =
      OptionalBool(object, path, "closed");
  if (!closed.ok()) return closed.status();
  const Value* windows = json::FindField(object, "windows");

  DateException exception{*date, {}};
  if (json::IsNullOrAbsent(windows)) {
    if (*closed != true) {
      return absl::InvalidArgumentError(absl::StrCat(
          path.ToString(),
          ": a date exception needs \"closed\": true or a \"windows\" list"));
    }
  } else {
    if (closed->has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path.ToString(),
          ": \"closed\" and \"windows\" cannot both appear; an empty "
          "\"windows\" list also closes the date"));
    }
    const json::Path windows_path = path.Field("windows");
    absl::StatusOr<const ListValue*> list =
        json::GetArray(*windows, windows_path);
    if (!list.ok()) return list.status();
    for (int i = 0; i < (*list)->values_size(); ++i) {
      const json::Path item_path = windows_path.Index(i);
      absl::StatusOr<const Struct*> item =
          json::GetObject((*list)->values(i), item_path);
      if (!item.ok()) return item.status();
      absl::StatusOr<DailyWindow> window =
          ParseDailyWindow(**item, item_path, {"start", "end"});
      if (!window.ok()) return window.status();
      exception.windows.push_back(*window);
    }
  }

  for (const DateException& other : spec->date_exceptions) {
    if (other.date == exception.date) {
      return absl::InvalidArgumentError(absl::StrCat(
          path.Field("date").ToString(), ": invalid value \"", *text,
          "\"; expected each date in at most one exception"));
    }
  }
  spec->date_exceptions.push_back(std::move(exception));
  return absl::OkStatus();
}

absl::Status ParseRangeException(const Struct& object, const json::Path& path,
                                 WorkHoursSpec* spec) {
  absl::Status fields =
      CheckFields(object, path, {"start", "end", "closed", "name"});
  if (!fields.ok()) return fields;

  RangeException range;
  for (absl::string_view name : {"start", "end"}) {
    absl::StatusOr<std::string> text = RequiredString(
        object, path, name, "a local date-time YYYY-MM-DDThh:mm");
    if (!text.ok()) return text.status();
    absl::StatusOr<absl::CivilSecond> local = ParseLocalDateTime(*text);
    if (!local.ok()) return AtPath(path.Field(name), local.status());
    (name == "start" ? range.start : range.end) = *local;
  }
  if (range.end <= range.start) {
    return json::InvalidField(path.Field("end"),
                              *json::FindField(object, "end"),
                              "a local date-time after \"start\"");
  }

  absl::StatusOr<std::optional<bool>> closed =
      OptionalBool(object, path, "closed");
  if (!closed.ok()) return closed.status();
  range.closed = closed->value_or(true);
  spec->range_exceptions.push_back(range);
  return absl::OkStatus();
}

absl::Status ParseException(const Value& value, const json::Path& path,
                            WorkHoursSpec* spec) {
  absl::StatusOr<const Struct*> object = json::GetObject(value, path);
  if (!object.ok()) return object.status();
  const bool has_date = !json::IsNullOrAbsent(json::FindField(**object, "date"));
  const bool has_start =
      !json::IsNullOrAbsent(json::FindField(**object, "start"));
  if (has_date && has_start) {
    return absl::InvalidArgumentError(absl::StrCat(
        path.ToString(),
        ": \"date\" and \"start\" cannot both appear; expected a date "
        "exception or a range exception"));
  }
  if (has_date) return ParseDateException(**object, path, spec);
  if (has_start) return ParseRangeException(**object, path, spec);
  return json::MissingField(path.Field("date"),
                            "a local date YYYY-MM-DD, or \"start\" and \"end\" "
                            "local date-times for a range");
}

absl::Status ParseRecurringWindow(const Value& value, const json::Path& path,
                                  const absl::TimeZone& zone,
                                  WorkHoursSpec* spec) {
  absl::StatusOr<const Struct*> object = json::GetObject(value, path);
  if (!object.ok()) return object.status();
  absl::Status fields =
      CheckFields(**object, path, {"rrule", "dtstart", "duration", "name"});
  if (!fields.ok()) return fields;

  absl::StatusOr<std::string> rule_text = RequiredString(
      **object, path, "rrule", "an rfc 5545 rule such as \"FREQ=WEEKLY;BYDAY=MO\"");
  if (!rule_text.ok()) return rule_text.status();
  absl::StatusOr<RecurrenceRule> rule = ParseRecurrenceRule(*rule_text);
  if (!rule.ok()) return AtPath(path.Field("rrule"), rule.status());

  absl::StatusOr<std::string> dtstart_text = RequiredString(
      **object, path, "dtstart", "a local date-time YYYY-MM-DDThh:mm");
  if (!dtstart_text.ok()) return dtstart_text.status();
  absl::StatusOr<absl::CivilSecond> dtstart = ParseLocalDateTime(*dtstart_text);
  if (!dtstart.ok()) return AtPath(path.Field("dtstart"), dtstart.status());

  absl::StatusOr<std::string> duration_text = RequiredString(
      **object, path, "duration", "an iso 8601 duration such as \"PT8H\"");
  if (!duration_text.ok()) return duration_text.status();
  absl::StatusOr<absl::Duration> duration = ParseIsoDuration(*duration_text);
  if (!duration.ok()) return AtPath(path.Field("duration"), duration.status());
  if (*duration < absl::Seconds(1) || *duration > absl::Hours(24 * 7)) {
    return json::InvalidField(path.Field("duration"),
                              *json::FindField(**object, "duration"),
                              "a duration between PT1S and P7D");
  }

  // Checks DTSTART against the rule here, so the error carries the path.
  absl::StatusOr<Recurrence> recurrence =
      Recurrence::Create(*rule, *dtstart, zone, spec->policy);
  if (!recurrence.ok()) return AtPath(path.Field("dtstart"), recurrence.status());
  spec->recurrences.push_back({*std::move(rule), *dtstart, *duration});
  return absl::OkStatus();
}

absl::Status ParsePolicy(const Struct& object, const json::Path& path,
                         LocalTimePolicy* policy) {
  if (const Value* value = json::FindField(object, "skippedTime");
      !json::IsNullOrAbsent(value)) {
    const json::Path field = path.Field("skippedTime");
    absl::StatusOr<std::string> text = json::GetString(*value, field);
    if (!text.ok()) return text.status();
    if (absl::EqualsIgnoreCase(*text, "transition")) {
      policy->skipped = SkippedTimePolicy::kTransition;
    } else if (absl::EqualsIgnoreCase(*text, "shiftForward")) {
      policy->skipped = SkippedTimePolicy::kShiftForward;
    } else if (absl::EqualsIgnoreCase(*text, "skip")) {
      policy->skipped = SkippedTimePolicy::kSkip;
    } else {
      return json::InvalidField(field, *value,
                                "\"transition\", \"shiftForward\" or \"skip\"");
    }
  }
  if (const Value* value = json::FindField(object, "repeatedTime");
      !json::IsNullOrAbsent(value)) {
    const json::Path field = path.Field("repeatedTime");
    absl::StatusOr<std::string> text = json::GetString(*value, field);
    if (!text.ok()) return text.status();
    if (absl::EqualsIgnoreCase(*text, "earlier")) {
      policy->repeated = RepeatedTimePolicy::kEarlier;
    } else if (absl::EqualsIgnoreCase(*text, "later")) {
      policy->repeated = RepeatedTimePolicy::kLater;
    } else {
      return json::InvalidField(field, *value, "\"earlier\" or \"later\"");
    }
  }
  return absl::OkStatus();
}

// Calls `parse` on each item of the optional array member `name`.
template <typename ParseItem>
absl::Status ForEachItem(const Struct& object, const json::Path& path,
                         absl::string_view name, bool required,
                         ParseItem parse) {
  const Value* value = json::FindField(object, name);
  const json::Path field = path.Field(name);
  if (json::IsNullOrAbsent(value)) {
    if (required) return json::MissingField(field, "a list (it may be empty)");
    return absl::OkStatus();
  }
  absl::StatusOr<const ListValue*> list = json::GetArray(*value, field);
  if (!list.ok()) return list.status();
  for (int i = 0; i < (*list)->values_size(); ++i) {
    absl::Status status = parse((*list)->values(i), field.Index(i));
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<WorkHours> WorkHours::FromJson(absl::string_view bytes) {
  absl::StatusOr<Value> root = json::ParseJson(bytes);
  if (!root.ok()) return root.status();
  return FromJsonValue(*root);
}

absl::StatusOr<WorkHours> WorkHours::FromJsonValue(const Value& value,
                                                   const json::Path& path) {
  absl::StatusOr<const Struct*> object = json::GetObject(value, path);
  if (!object.ok()) return object.status();
  const Struct& root = **object;
  absl::Status fields =
      CheckFields(root, path,
                  {"timeZone", "weekly", "exceptions", "recurrences",
                   "skippedTime", "repeatedTime", "name", "description"});
  if (!fields.ok()) return fields;

  WorkHoursSpec spec;
  absl::StatusOr<std::string> zone_name =
      RequiredString(root, path, "timeZone",
                     "an iana time zone name such as \"Europe/Berlin\"");
  if (!zone_name.ok()) return zone_name.status();
  absl::StatusOr<absl::TimeZone> zone = LoadIanaTimeZone(*zone_name);
  if (!zone.ok()) return AtPath(path.Field("timeZone"), zone.status());
  spec.time_zone = *zone_name;

  absl::Status status = ParsePolicy(root, path, &spec.policy);
  if (!status.ok()) return status;

  status = ForEachItem(root, path, "weekly", /*required=*/true,
                       [&](const Value& item, const json::Path& item_path) {
                         return ParseWeeklyEntry(item, item_path, &spec);
                       });
  if (!status.ok()) return status;

  status = ForEachItem(root, path, "exceptions", /*required=*/false,
                       [&](const Value& item, const json::Path& item_path) {
                         return ParseException(item, item_path, &spec);
                       });
  if (!status.ok()) return status;

  status = ForEachItem(root, path, "recurrences", /*required=*/false,
                       [&](const Value& item, const json::Path& item_path) {
                         return ParseRecurringWindow(item, item_path, *zone,
                                                     &spec);
                       });
  if (!status.ok()) return status;

  return Create(std::move(spec));
}

}  // namespace portcullis::schedule

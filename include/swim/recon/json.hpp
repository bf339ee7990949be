// SPDX-License-Identifier: BSL-1.0
// Copyright (c) 2026 the swim-cpp authors

#ifndef SWIM_RECON_JSON_HPP
#define SWIM_RECON_JSON_HPP

#include <swim/recon/error.hpp>
#include <swim/recon/value.hpp>

#include <boost/json/value.hpp>

/** @file
 * The JSON bridge: Recon values to and from `boost::json::value`.
 *
 * Only this header (and `lib/recon/json.cpp`) names Boost.JSON; the rest of the Recon layer does
 * not. It includes `<boost/json/value.hpp>` (not `<boost/json.hpp>`): callers need the complete
 * type, and parsing or serialising JSON is left to them.
 *
 * @par Recon to JSON (to_json)
 * | Recon                              | JSON                                                   |
 * |------------------------------------|--------------------------------------------------------|
 * | absent, extant                     | `null`                                                 |
 * | bool                               | bool                                                   |
 * | int64                              | int64                                                  |
 * | uint64                             | uint64                                                 |
 * | big_integer                        | string of its decimal digits, `-` first if negative (*) |
 * | float64, finite                    | double                                                 |
 * | float64, NaN or infinite           | error::non_finite_float, never a silent default        |
 * | text                               | string                                                 |
 * | data                               | string of standard padded base64 (`"AAE="`)            |
 * | record of plain values only        | array of the values in order (`{}` gives `[]`)         |
 * | record with an attribute or a slot | object, one key per item in item order, as below       |
 * | - attribute `@a(v)`                | key `"@a"`, the JSON of `v` (`@a` alone gives `null`)  |
 * | - slot with a text key `k: v`      | key `"k"`                                              |
 * | - slot with another key            | the key's compact Recon text (recon::write): `"1"`,    |
 * |                                    | `"{x:1}"`                                              |
 * | - plain value, item index i        | key `"$i"`: `{@a,7}` gives `{"@a":null,"$1":7}`        |
 *
 * (*) JSON has no big integers, and a double would round them: `"-18446744073709551616"`.
 *
 * When two items give the same key, the object keeps the position of the first and the value
 * of the last, as `JSON.parse` does with duplicate keys.
 *
 * @par JSON to Recon (from_json)
 * | JSON          | Recon                                                                      |
 * |---------------|----------------------------------------------------------------------------|
 * | `null`        | extant                                                                     |
 * | bool          | bool                                                                       |
 * | int64, uint64 | integer, normalised by the value constructors (uint64 `5` is int64 `5`)    |
 * | double        | float64                                                                    |
 * | string        | text (a numeric or base64 string stays text)                               |
 * | array         | record of plain values, in order                                           |
 * | object        | record, in key order: key `"@a"` gives the attribute `@a(v)` (`@a` holding |
 * |               | extant when `v` is `null`); any other key `"k"` the slot `k: v` with a     |
 * |               | text key (so `"$1"` gives a slot, not a plain value)                       |
 *
 * @par Round trips
 * JSON to Recon to JSON gives back the same value, keys in the same order, for every JSON value
 * without empty objects (an empty object becomes an empty record, which is written `[]`); the
 * only change is that a uint64 at most `INT64_MAX` comes back as an int64 of the same value.
 * Recon to JSON to Recon gives back the same value for values made of extant, bool, numbers,
 * text and records that hold either only plain values or only attributes and text-keyed slots
 * with distinct keys, no slot key starting with `@`. Absent (becomes extant), big integers and
 * data (become text), non-text slot keys and plain values beside attributes or slots (become
 * text-keyed slots) do not come back as they were.
 */

namespace swim::recon {

/** Converts a Recon value to JSON (see the file comment for the table).
 *
 * @param ec set to error::non_finite_float when `v` holds a NaN or an infinity anywhere;
 *        cleared on success.
 * @returns the JSON value, or `null` on failure.
 * @par Exceptions
 * Only `std::bad_alloc`.
 */
boost::json::value to_json(value const& v, boost::system::error_code& ec);

/** Converts a Recon value to JSON (see the file comment for the table).
 *
 * @throws boost::system::system_error with error::non_finite_float when `v` holds a NaN or
 *         an infinity anywhere.
 */
boost::json::value to_json(value const& v);

/** Converts a JSON value to Recon (see the file comment for the table). Never fails.
 *
 * @par Exceptions
 * Only `std::bad_alloc`.
 */
value from_json(boost::json::value const& j);

}  // namespace swim::recon

#endif

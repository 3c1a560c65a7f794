//! A posted form's values kept as typed, to read them in a handler and to show them again
//! with their errors; one repeated field (a group of ticked checkboxes) is kept as a list.

use std::collections::HashMap;

/// A form's values by field name, and the items of its one repeated field.
#[derive(Clone, Debug)]
pub struct FormFields<T> {
    values: HashMap<String, String>,
    ticked: Vec<T>,
}

impl<T> Default for FormFields<T> {
    fn default() -> Self {
        Self { values: HashMap::new(), ticked: Vec::new() }
    }
}

impl<T> FormFields<T> {
    /// Values to fill in, with the repeated field's items already ticked.
    pub fn with_ticked(ticked: Vec<T>) -> Self {
        Self { values: HashMap::new(), ticked }
    }

    /// Reads the posted pairs: each value of `repeated` that `parse` accepts becomes an item,
    /// every other field keeps its last value.
    pub fn read(pairs: Vec<(String, String)>, repeated: &str, parse: impl Fn(String) -> Option<T>) -> Self {
        let mut fields = Self::default();
        for (name, value) in pairs {
            if name == repeated {
                fields.ticked.extend(parse(value));
            } else {
                fields.values.insert(name, value);
            }
        }
        fields
    }

    /// The value of a field; empty when it was not sent.
    pub fn get(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    /// True when a checkbox is ticked.
    pub fn checked(&self, name: &str) -> bool {
        matches!(self.get(name), "on" | "true" | "1")
    }

    /// Every field's value by name (the repeated field apart).
    pub fn values(&self) -> &HashMap<String, String> {
        &self.values
    }

    /// Sets a field's value.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.values.insert(name.to_owned(), value.into());
    }

    /// The items of the repeated field.
    pub fn ticked(&self) -> &[T] {
        &self.ticked
    }
}

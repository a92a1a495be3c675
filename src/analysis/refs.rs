//! What a name can stand for and what a call calls, as far as one file can tell: the vocabulary
//! that conditions ([`super::Condition::Calls`]) and the semantic layer's facts share. Plain data;
//! the semantic layer fills it in and its project index resolves it.

/// Something a name can stand for, as far as one file can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entity {
    /// A function of this file.
    Fn(u32),
    /// A class of this file.
    Class(u32),
    /// An object literal of this file whose members are functions.
    Object(u32),
    /// An instance of a class (`new UserRepo(db)`, a parameter typed `UserRepo`).
    Instance(Box<Entity>),
    /// What calling a function returns (`const dal = makeUserDal(db)`).
    Returned(Box<Entity>),
    /// An import, resolved by the project index.
    Import(ImportFrom),
    /// `export * from '...'`.
    Star(String),
}

/// What a call calls: an entity, or one of its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub base: Entity,
    pub member: Option<String>,
}

/// Which export of a module an import takes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Imported {
    Named(String),
    Default,
    /// `import * as ns`: the whole module as an object.
    Namespace,
    /// `require('x')`: the module's CommonJS value.
    Module,
}

/// Where an imported name comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFrom {
    pub specifier: String,
    pub imported: Imported,
}

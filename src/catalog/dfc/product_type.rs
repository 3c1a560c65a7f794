//! The DFC product type that a merchant's free-text category names, from French words.

/// The DFC product type (without `dfc-pt:`) that a merchant's category names, if one clearly does.
/// Parts joined by "et", "," or "/" must agree ("Pains et viennoiseries" → bakery; "Fruits et
/// légumes" → none); within a part, later words only narrow the first ("Viande de bœuf" → beef,
/// "Jus de pomme" → fruit juice).
pub fn product_type(category: &str) -> Option<&'static str> {
    let folded = fold(category);
    let mut common: Option<Vec<&'static str>> = None;
    for part in
        folded.split([',', '/', '&', '+', ';']).flat_map(|p| p.split(" et ")).flat_map(|p| p.split(" ou "))
    {
        let words: Vec<String> = part
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(singular)
            .collect();
        if words.is_empty() {
            continue;
        }
        let mut path: Option<Vec<&'static str>> = None;
        let mut at = 0;
        while at < words.len() {
            let found = PRODUCT_TYPES.iter().find(|(key, _)| {
                let key: Vec<&str> = key.split(' ').collect();
                words.get(at..at + key.len()).is_some_and(|w| w.iter().zip(&key).all(|(a, b)| a == b))
            });
            let Some((key, found)) = found else {
                at += 1;
                continue;
            };
            at += key.split(' ').count();
            let found: Vec<&'static str> = found.split('>').collect();
            match &path {
                None => path = Some(found),
                Some(current) if found.len() > current.len() && found.starts_with(current) => {
                    path = Some(found)
                }
                Some(_) => {}
            }
        }
        // A part that names nothing ("divers") leaves the whole category unclear.
        let path = path?;
        common = Some(match common {
            None => path,
            Some(so_far) => so_far.iter().zip(&path).take_while(|(a, b)| a == b).map(|(a, _)| *a).collect(),
        });
    }
    common.and_then(|path| path.last().copied())
}

/// Lower case, without accents or ligatures, for matching French words.
pub(super) fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.to_lowercase().chars() {
        match c {
            'à' | 'â' | 'ä' => folded.push('a'),
            'é' | 'è' | 'ê' | 'ë' => folded.push('e'),
            'î' | 'ï' => folded.push('i'),
            'ô' | 'ö' => folded.push('o'),
            'ù' | 'û' | 'ü' => folded.push('u'),
            'ç' => folded.push('c'),
            'œ' => folded.push_str("oe"),
            'æ' => folded.push_str("ae"),
            '\'' | '’' => folded.push(' '),
            c => folded.push(c),
        }
    }
    folded
}

pub(super) fn singular(word: &str) -> String {
    match word {
        "jus" | "pois" | "riz" | "cassis" => word.into(),
        w if w.len() > 3 && (w.ends_with('s') || w.ends_with('x')) => w[..w.len() - 1].into(),
        w => w.into(),
    }
}

/// French words (folded, singular) and the DFC product type each names, as its path in the
/// taxonomy (v1.3.0), so that words of one category can be checked to agree.
pub(super) const PRODUCT_TYPES: [(&str, &str); 66] = [
    ("pomme de terre", "vegetable>potato"),
    ("jus de fruit", "drink>soft-drink>fruit-juice"),
    ("fruit de mer", "meat-product>fishery-product"),
    ("fruit sec", "local-grocery-store>processed-fruit>dried-fruit"),
    ("legume sec", "vegetable>dried-vegetable"),
    ("produit laitier", "dairy-product"),
    ("plat cuisine", "local-grocery-store>ready-meal"),
    ("epicerie sucree", "local-grocery-store>sweet-groceries"),
    ("epicerie salee", "local-grocery-store>savory-groceries"),
    ("boulangerie", "bakery"),
    ("pain", "bakery>bread"),
    ("baguette", "bakery>bread"),
    ("viennoiserie", "bakery>viennoiserie-"),
    ("croissant", "bakery>viennoiserie-"),
    ("patisserie", "local-grocery-store>sweet-groceries>pastry"),
    ("gateau", "local-grocery-store>sweet-groceries>pastry"),
    ("biscuit", "local-grocery-store>sweet-groceries>biscuit"),
    ("miel", "local-grocery-store>sweet-groceries>honey"),
    ("confiture", "local-grocery-store>sweet-groceries>jam"),
    ("confiserie", "local-grocery-store>sweet-groceries>confectionery"),
    ("chocolat", "local-grocery-store>sweet-groceries>confectionery"),
    ("fromagerie", "dairy-product"),
    ("cremerie", "dairy-product"),
    ("fromage", "dairy-product"),
    ("yaourt", "dairy-product"),
    ("laitage", "dairy-product"),
    ("lait", "dairy-product>cow-dairy-product>milk"),
    ("beurre", "dairy-product>cow-dairy-product>butter"),
    ("oeuf", "meat-product>egg"),
    ("legume", "vegetable"),
    ("fruit", "fruit"),
    ("salade", "vegetable>salad"),
    ("champignon", "vegetable>mushroom"),
    ("tomate", "vegetable>tomato"),
    ("pomme", "fruit>apples"),
    ("aromate", "vegetable>herb"),
    ("lentille", "vegetable>dried-vegetable>lentils"),
    ("boucherie", "meat-product"),
    ("viande", "meat-product"),
    ("boeuf", "meat-product>beef"),
    ("veau", "meat-product>veal"),
    ("agneau", "meat-product>lamb"),
    ("porc", "meat-product>pork"),
    ("charcuterie", "meat-product>pork>delicatessen"),
    ("volaille", "meat-product>poultry"),
    ("poulet", "meat-product>poultry>chicken"),
    ("lapin", "meat-product>rabbit"),
    ("poissonnerie", "meat-product>fishery-product"),
    ("poisson", "meat-product>fishery-product>fish"),
    ("coquillage", "meat-product>fishery-product>seashell"),
    ("boisson", "drink"),
    ("jus", "drink>soft-drink>fruit-juice"),
    ("alcool", "drink>alcoholic-beverage"),
    ("vin", "drink>alcoholic-beverage>wine"),
    ("biere", "drink>alcoholic-beverage>beer"),
    ("cidre", "drink>alcoholic-beverage>cider"),
    ("epicerie", "local-grocery-store"),
    ("huile", "local-grocery-store>savory-groceries>oil"),
    ("riz", "local-grocery-store>savory-groceries>rice"),
    ("farine", "local-grocery-store>dried_goods>flour"),
    ("soupe", "local-grocery-store>processed-vegetable>soup"),
    ("traiteur", "local-grocery-store>ready-meal"),
    ("surgele", "frozen"),
    ("fleur", "inedible>flower"),
    ("plante", "inedible>plant"),
    ("cosmetique", "inedible>cosmetic"),
];
